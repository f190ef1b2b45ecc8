using System;
using System.Formats.Asn1;
using System.Text;

namespace Scep.Protocol.Internal;

/// <summary>DirectoryString (RFC 5280 §4.1.2.4) and the other string types SCEP peers put in attributes.</summary>
internal static class DirectoryString
{
    private static readonly Encoding Utf32BigEndian = new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true);

    /// <exception cref="AsnContentException">Not a string type, or not a valid encoding of one.</exception>
    public static (string Value, UniversalTagNumber Type) Read(ReadOnlyMemory<byte> encoded)
    {
        var reader = new AsnReader(encoded, AsnEncodingRules.BER);
        var tag = reader.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            throw new AsnContentException("A string attribute has a non-universal tag.");
        }

        var type = (UniversalTagNumber)tag.TagValue;
        string value = type switch
        {
            UniversalTagNumber.PrintableString or UniversalTagNumber.UTF8String or UniversalTagNumber.IA5String
                or UniversalTagNumber.BMPString or UniversalTagNumber.T61String or UniversalTagNumber.VisibleString
                or UniversalTagNumber.NumericString
                => reader.ReadCharacterString(type),
            UniversalTagNumber.UniversalString => ReadUniversalString(reader),
            _ => throw new AsnContentException($"A string attribute has the non-string type {type}."),
        };
        reader.ThrowIfNotEmpty();
        return (value, type);
    }

    // AsnReader has no decoder for UniversalString (it throws ArgumentOutOfRangeException, found by fuzzing):
    // UCS-4, that is UTF-32 big-endian.
    private static string ReadUniversalString(AsnReader reader)
    {
        if (!reader.TryReadPrimitiveCharacterStringBytes(new Asn1Tag(UniversalTagNumber.UniversalString), out var octets))
        {
            throw new AsnContentException("A constructed UniversalString is not supported.");
        }

        if (octets.Length % 4 != 0)
        {
            throw new AsnContentException("A UniversalString's length is not a multiple of four.");
        }

        try
        {
            return Utf32BigEndian.GetString(octets.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new AsnContentException("A UniversalString holds an invalid character.", e);
        }
    }

    public static byte[] Encode(string value, UniversalTagNumber? type)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        var chosen = type ?? (IsPrintable(value) ? UniversalTagNumber.PrintableString : UniversalTagNumber.UTF8String);
        writer.WriteCharacterString(chosen, value);
        return writer.Encode();
    }

    public static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
                or ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':' or '=' or '?';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
