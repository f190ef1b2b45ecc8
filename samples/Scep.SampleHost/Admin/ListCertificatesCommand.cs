using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>list-certificates</c>: every issued certificate and whether it is revoked.</summary>
internal sealed class ListCertificatesCommand() : AdminCommand("list-certificates", "issued certificates")
{
    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var certificates = await admin.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
        await AdminOutput.WriteTableAsync(output, ["SERIAL", "SUBJECT", "NOT AFTER", "STATUS"], certificates.Select(c => new[]
        {
            c.SerialNumber, c.Subject, AdminOutput.Time(c.NotAfter), c.RevokedAt is { } at ? $"revoked {AdminOutput.Time(at)}" : "good",
        })).ConfigureAwait(false);
        await output.WriteLineAsync($"{certificates.Count} certificates").ConfigureAwait(false);
    }
}
