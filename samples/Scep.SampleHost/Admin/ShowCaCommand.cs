using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>show-ca</c>: the CA certificate (and the next one during a rollover), with fingerprints.</summary>
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
        await AdminOutput.DescribeAsync(output, "CA", admin.Cas.Current.Certificate, pem).ConfigureAwait(false);
        if (admin.Cas.Next is { } next)
        {
            await AdminOutput.DescribeAsync(output, "Next CA (GetNextCACert)", next.Certificate, pem).ConfigureAwait(false);
        }
    }
}
