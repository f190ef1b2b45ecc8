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
}
