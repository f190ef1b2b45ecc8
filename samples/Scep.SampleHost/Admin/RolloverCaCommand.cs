using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>rollover-ca</c>: creates the next CA certificate, which GetNextCACert serves from then on.</summary>
internal sealed class RolloverCaCommand() : AdminCommand("rollover-ca", "create the next CA certificate (served by GetNextCACert)")
{
    // It writes the data folder, and its audit entry goes to the database.
    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var rolled = await admin.RolloverCaAsync().ConfigureAwait(false);
        await AdminOutput.DescribeAsync(output, "Created the next CA; GetNextCACert serves it from now on", rolled.Certificate, pem: false).ConfigureAwait(false);
    }
}
