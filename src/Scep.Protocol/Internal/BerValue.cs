using System;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>Framing of one BER value, for inputs that may be anything.</summary>
internal static class BerValue
{
    /// <summary>
    /// The length of the BER value at the start of <paramref name="encoded"/>; false when there is no complete one.
    /// <see cref="AsnDecoder.TryReadEncodedValue"/> returns false only for some bad inputs and throws for others
    /// (an indefinite length without end-of-contents, a length beyond <see cref="int.MaxValue"/>).
    /// </summary>
    public static bool TryMeasure(ReadOnlySpan<byte> encoded, out int bytesConsumed)
    {
        try
        {
            return AsnDecoder.TryReadEncodedValue(encoded, AsnEncodingRules.BER, out _, out _, out _, out bytesConsumed);
        }
        catch (AsnContentException)
        {
            bytesConsumed = 0;
            return false;
        }
    }

    /// <summary>
    /// Checks that constructed values nest at most <see cref="Limits.MaxNestingDepth"/> deep in the (complete)
    /// encoding. The walk stops at the first level past the bound, so its cost is bounded by that depth times the length.
    /// </summary>
    /// <exception cref="ScepException"><see cref="ScepError.LimitExceeded"/>.</exception>
    /// <exception cref="AsnContentException">The encoding is malformed.</exception>
    public static void EnsureNestingWithinLimit(ReadOnlySpan<byte> encoded) => Walk(encoded, 1);

    private static void Walk(ReadOnlySpan<byte> values, int depth)
    {
        while (!values.IsEmpty)
        {
            var tag = AsnDecoder.ReadEncodedValue(values, AsnEncodingRules.BER, out var contentOffset, out var contentLength, out var consumed);
            if (tag.IsConstructed)
            {
                if (depth > Limits.MaxNestingDepth)
                {
                    throw new ScepException(ScepError.LimitExceeded, $"The ASN.1 values nest more than {Limits.MaxNestingDepth} deep.");
                }

                Walk(values.Slice(contentOffset, contentLength), depth + 1);
            }

            values = values[consumed..];
        }
    }
}
