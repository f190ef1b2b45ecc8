using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// The signature both sides of a Scep.Protocol webhook put on what they send, for a receiver written in .NET and for
/// the server itself. The scheme follows Stripe's and Standard Webhooks' signed payloads: HMAC-SHA256 (RFC 2104,
/// FIPS 198-1) keyed with the UTF-8 bytes of the shared secret, over
/// <c>timestamp + "." + id + "." + body</c>, where <c>timestamp</c> is the decimal Unix time in seconds sent in
/// <see cref="TimestampHeader"/>, <c>id</c> the request's <see cref="IdHeader"/> (an answer is signed over the id of
/// the request it answers) and <c>body</c> the exact bytes of the HTTP body. The header
/// <see cref="SignatureHeader"/> carries <c>v1=</c> and the MAC in lowercase hex; several comma-separated
/// <c>v1=</c> values are accepted (a secret being rotated).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header with the Unix time in seconds at which the message was signed.</summary>
    public const string TimestampHeader = "Scep-Webhook-Timestamp";

    /// <summary>The header with the request's delivery id (random, unique per delivery, kept across a notifier's retry).</summary>
    public const string IdHeader = "Scep-Webhook-Id";

    /// <summary>The header with the signature: <c>v1=&lt;hex&gt;</c>.</summary>
    public const string SignatureHeader = "Scep-Webhook-Signature";

    /// <summary>The version prefix of a signature value.</summary>
    public const string Version = "v1";

    /// <summary>The default freshness window: a timestamp further than this from the verifier's clock is refused.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Computes the value of <see cref="SignatureHeader"/>.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The Unix time in seconds sent in <see cref="TimestampHeader"/>.</param>
    /// <param name="id">The request's delivery id.</param>
    /// <param name="body">The HTTP body, byte for byte.</param>
    /// <returns><c>v1=</c> and the lowercase hex HMAC-SHA256.</returns>
    public static string Compute(string secret, long timestamp, string id, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(id);
        return Version + "=" + Convert.ToHexStringLower(Mac(secret, timestamp, id, body));
    }

    /// <summary>
    /// Verifies a signed message: the timestamp is a Unix time within <paramref name="tolerance"/> of
    /// <paramref name="now"/>, and one of the <c>v1=</c> values equals the MAC (compared in constant time).
    /// </summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestampHeader">The received <see cref="TimestampHeader"/>, or null.</param>
    /// <param name="id">The request's delivery id (for an answer: the id of the request it answers), or null.</param>
    /// <param name="body">The received body, byte for byte.</param>
    /// <param name="signatureHeader">The received <see cref="SignatureHeader"/>, or null.</param>
    /// <param name="now">The verifier's clock.</param>
    /// <param name="tolerance">How far the timestamp may be from <paramref name="now"/>, either way.</param>
    /// <returns>True when the message is authentic and fresh.</returns>
    public static bool Verify(string secret, string? timestampHeader, string? id, ReadOnlySpan<byte> body, string? signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(signatureHeader)
            || !TryParseTimestamp(timestampHeader, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > (long)tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Mac(secret, timestamp, id, body);
        var matched = false;
        foreach (var part in signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith(Version + "=", StringComparison.Ordinal)
                && TryDecodeHex(part.AsSpan(Version.Length + 1), out var candidate))
            {
                // Every candidate is compared, so the time taken does not say which one matched.
                matched |= CryptographicOperations.FixedTimeEquals(candidate, expected);
            }
        }

        return matched;
    }

    /// <summary>The Unix time of <paramref name="time"/> as <see cref="TimestampHeader"/> carries it.</summary>
    /// <param name="time">The instant.</param>
    /// <returns>Whole seconds since 1970-01-01T00:00:00Z, in invariant decimal.</returns>
    public static string FormatTimestamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    internal static bool TryParseTimestamp(string? text, out long timestamp)
    {
        timestamp = 0;
        return !string.IsNullOrEmpty(text) && text.Length <= 12
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp);
    }

    private static byte[] Mac(string secret, long timestamp, string id, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(Encoding.UTF8.GetBytes(id + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryDecodeHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length != 64)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
