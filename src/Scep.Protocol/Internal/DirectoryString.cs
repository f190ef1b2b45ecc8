using System;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>DirectoryString (RFC 5280 §4.1.2.4) and the other string types SCEP peers put in attributes.</summary>
internal static class DirectoryString
{
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
                or UniversalTagNumber.UniversalString or UniversalTagNumber.NumericString
                => reader.ReadCharacterString(type),
            _ => throw new AsnContentException($"A string attribute has the non-string type {type}."),
        };
        reader.ThrowIfNotEmpty();
        return (value, type);
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
