using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>rollover-ca</c>: creates the next CA certificate, which GetNextCACert serves from then on.</summary>
internal sealed class RolloverCaCommand() : AdminCommand("rollover-ca", "create the next CA certificate (served by GetNextCACert)")
{
    public override bool UsesDatabase => false;

    public override Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var rolled = admin.RolloverCa();
        return AdminOutput.DescribeAsync(output, "Created the next CA; GetNextCACert serves it from now on", rolled.Certificate, pem: false);
    }
}
