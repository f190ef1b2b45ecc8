using System;
using System.Security.Cryptography;

namespace Scep.SampleHost;

/// <summary>One PEM block of a known label, as the upstream queue's API carries certificates and requests.</summary>
internal static class PemBlock
{
    /// <summary>The DER of the first PEM block in <paramref name="text"/> when its label is <paramref name="label"/>; null otherwise (none, another label, bad base64).</summary>
    public static byte[]? Decode(string? text, string label)
    {
        if (text is null || !PemEncoding.TryFind(text, out var fields) || !text.AsSpan()[fields.Label].SequenceEqual(label))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text[fields.Base64Data]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
