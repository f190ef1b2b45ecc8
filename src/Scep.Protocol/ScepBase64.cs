using System;
using System.Text;

namespace Scep.Protocol;

/// <summary>
/// The base64 of the GET <c>message</c> parameter (RFC 8894 §4.1), written correctly and read the way real
/// clients send it: '+' turned into ' ' (iOS), '+' and '/' unescaped (macOS), URL-safe alphabet, missing
/// padding, and line breaks or <c>%0A</c> every 64 characters (Cisco).
/// </summary>
public static class ScepBase64
{
    /// <summary>Standard base64 (RFC 4648 §4), percent-escaped for a query string (RFC 3986).</summary>
    /// <param name="message">The DER pkiMessage.</param>
    /// <returns>The value for <c>message=</c>.</returns>
    public static string EncodeForQuery(ReadOnlySpan<byte> message) => Uri.EscapeDataString(Convert.ToBase64String(message));

    /// <summary>Decodes a <c>message</c> value taken from the raw query string (not form-decoded).</summary>
    /// <param name="value">The raw value: percent-escaped or not.</param>
    /// <param name="maxDecodedLength">The largest decoded length accepted.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ScepException"><see cref="ScepError.Malformed"/>, or <see cref="ScepError.LimitExceeded"/> beyond <paramref name="maxDecodedLength"/>.</exception>
    public static byte[] DecodeQueryValue(string value, int maxDecodedLength = 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > (maxDecodedLength / 3 * 4 * 3) + 16)
        {
            throw new ScepException(ScepError.LimitExceeded, "The message parameter is longer than the limit.");
        }

        string unescaped;
        try
        {
            unescaped = Uri.UnescapeDataString(value);
        }
        catch (UriFormatException e)
        {
            throw new ScepException(ScepError.Malformed, "The message parameter is not valid percent-encoding.", e);
        }

        var builder = new StringBuilder(unescaped.Length + 3);
        foreach (var c in unescaped)
        {
            switch (c)
            {
                case ' ': builder.Append('+'); break;
                case '-': builder.Append('+'); break;
                case '_': builder.Append('/'); break;
                case '\r' or '\n' or '\t': break;
                case '=': break;
                default:
                    if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/')
                    {
                        builder.Append(c);
                        break;
                    }

                    throw new ScepException(ScepError.Malformed, "The message parameter contains a character that is not base64.");
            }
        }

        if (builder.Length % 4 == 1)
        {
            throw new ScepException(ScepError.Malformed, "The message parameter has a truncated base64 length.");
        }

        builder.Append('=', (4 - (builder.Length % 4)) % 4);
        var decoded = Convert.FromBase64String(builder.ToString());
        if (decoded.Length > maxDecodedLength)
        {
            throw new ScepException(ScepError.LimitExceeded, "The decoded message is larger than the limit.");
        }

        return decoded;
    }
}
