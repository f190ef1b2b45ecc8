using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Security.Cryptography.X509Certificates;
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
        var reason = parse.GetValue(_reason) is { } text ? ParseReason(text) : (X509RevocationReason?)null;
        var revoked = await admin.RevokeAsync(parse.GetValue(_serial)!, reason, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Revoked {revoked.SerialNumber} ({revoked.Subject}){(reason is null ? string.Empty : ", reason " + reason)}; the next CRL lists it.").ConfigureAwait(false);
    }

    private static X509RevocationReason ParseReason(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Enum.IsDefined((X509RevocationReason)code) ? (X509RevocationReason)code : throw new FormatException($"Unknown revocation reason code {code}.");
        }

        return Enum.TryParse<X509RevocationReason>(value, ignoreCase: true, out var reason)
            ? reason
            : throw new FormatException($"Unknown revocation reason '{value}'.");
    }
}
