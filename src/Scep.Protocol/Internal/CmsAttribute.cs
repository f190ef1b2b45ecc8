using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>An Attribute (RFC 5652 §5.3): its type and the encoded values.</summary>
internal sealed record CmsAttribute(string Oid, IReadOnlyList<ReadOnlyMemory<byte>> Values)
{
    public static CmsAttribute Read(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var oid = sequence.ReadObjectIdentifier();
        var set = sequence.ReadSetOf(skipSortOrderValidation: true);
        var values = new List<ReadOnlyMemory<byte>>(1);
        while (set.HasData)
        {
            if (values.Count == Limits.MaxAttributeValues)
            {
                throw new ScepException(ScepError.LimitExceeded, $"Attribute {oid} has more than {Limits.MaxAttributeValues} values.");
            }

            values.Add(set.ReadEncodedValue());
        }

        sequence.ThrowIfNotEmpty();
        return new CmsAttribute(oid, values);
    }

    public static void Write(AsnWriter writer, string oid, ReadOnlySpan<byte> encodedValue)
    {
        writer.PushSequence();
        writer.WriteObjectIdentifier(oid);
        writer.PushSetOf();
        writer.WriteEncodedValue(encodedValue);
        writer.PopSetOf();
        writer.PopSequence();
    }
}
