using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>show-ca</c>: the CA certificate (and the next one during a rollover), with fingerprints; each CA's RA certificate when there is one.</summary>
internal sealed class ShowCaCommand : AdminCommand
{
    private readonly Option<bool> _pem;

    public ShowCaCommand()
        : base("show-ca", "the CA certificate: subject, validity, fingerprints")
    {
        _pem = AddFlag("--pem", "Also print the certificate in PEM");
    }

    public override bool UsesDatabase => false;

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var pem = parse.GetValue(_pem);
        var (current, next) = admin.Cas.CurrentAndNext();
        await AdminOutput.DescribeAsync(output, "CA", current.Certificate, pem).ConfigureAwait(false);
        if (current.Ra is { } ra)
        {
            await AdminOutput.DescribeAsync(output, "RA (signs the replies, decrypts the envelopes)", ra.Certificate, pem).ConfigureAwait(false);
        }

        if (next is not null)
        {
            await AdminOutput.DescribeAsync(output, "Next CA (GetNextCACert)", next.Certificate, pem).ConfigureAwait(false);
            if (next.Ra is { } nextRa)
            {
                await AdminOutput.DescribeAsync(output, "Next RA", nextRa.Certificate, pem).ConfigureAwait(false);
            }
        }
    }
}
