using System;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>An AlgorithmIdentifier as read from the wire: its OID and the encoded parameters, if any.</summary>
internal readonly record struct AlgorithmIdentifier(string Oid, ReadOnlyMemory<byte>? Parameters)
{
    public static AlgorithmIdentifier Read(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        var oid = sequence.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = sequence.HasData ? sequence.ReadEncodedValue() : null;
        sequence.ThrowIfNotEmpty();
        return new AlgorithmIdentifier(oid, parameters);
    }
}
