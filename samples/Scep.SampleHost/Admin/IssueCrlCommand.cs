using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>issue-crl</c>: a new CRL (the next number) now, optionally written to a file.</summary>
internal sealed class IssueCrlCommand : AdminCommand
{
    private readonly Option<string?> _out;

    public IssueCrlCommand()
        : base("issue-crl", "make a new CRL now (DER to FILE if given)")
    {
        _out = AddOption("--out", "FILE", "Write the CRL (DER) to this file");
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var crls = await admin.IssueCrlAsync(cancellationToken).ConfigureAwait(false);
        var all = await admin.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (ca, crl) in crls)
        {
            var count = all.Count(c => c.IssuerId == ca.Id && c.RevokedAt is not null);
            await output.WriteLineAsync($"CRL number {crl.Number} of {ca.Certificate.Subject}: {count} revoked, thisUpdate {AdminOutput.Time(crl.ThisUpdate)}, nextUpdate {AdminOutput.Time(crl.NextUpdate)}").ConfigureAwait(false);
        }

        if (parse.GetValue(_out) is { } path)
        {
            await File.WriteAllBytesAsync(path, crls[0].Crl.RawData, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Wrote {Path.GetFullPath(path)} (DER; openssl crl -inform DER -in {path} -text)").ConfigureAwait(false);
        }
    }
}
