using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>revoke SERIAL</c>: revokes an issued certificate; the next CRL lists it.</summary>
internal sealed class RevokeCommand : AdminCommand
{
    private readonly Argument<string> _serial;
    private readonly Option<string?> _reason;

    public RevokeCommand()
        : base("revoke", "revoke a certificate (R: unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn); the next GetCRL lists it")
    {
        _serial = AddArgument("SERIAL", "The serial number in hexadecimal, as openssl x509 -serial prints it");
        _reason = AddOption("--reason", "R", "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn (or the RFC 5280 code)");
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var reason = RevocationReasons.Parse(parse.GetValue(_reason));
        var revoked = await admin.RevokeAsync(parse.GetValue(_serial)!, reason, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Revoked {revoked.SerialNumber} ({revoked.Subject}){(reason is null ? string.Empty : ", reason " + reason)}; the next CRL lists it.").ConfigureAwait(false);
    }
}
