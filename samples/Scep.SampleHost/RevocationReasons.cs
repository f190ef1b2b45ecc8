using System;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Scep.SampleHost;

/// <summary>Revocation reasons as operators write them (admin commands, admin API): RFC 5280 §5.3.1's names or codes.</summary>
internal static class RevocationReasons
{
    /// <exception cref="FormatException">Not a reason.</exception>
    public static X509RevocationReason? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Enum.IsDefined((X509RevocationReason)code) ? (X509RevocationReason)code : throw new FormatException($"Unknown revocation reason code {code}.");
        }

        return Enum.TryParse<X509RevocationReason>(text.Trim(), ignoreCase: true, out var reason) && Enum.IsDefined(reason)
            ? reason
            : throw new FormatException($"Unknown revocation reason '{text}'.");
    }
}
