using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.IO;
using System.Linq;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// One BER/DER value as an editable tree: a tag and either primitive contents or child values.
/// Re-encoding writes definite lengths and keeps the children in their order (no DER set sorting),
/// so a value that was not edited comes back byte for byte when the input was DER.
/// </summary>
public sealed class AsnNode
{
    private AsnNode(Asn1Tag tag, byte[] content, List<AsnNode>? children)
    {
        Tag = tag;
        Content = content;
        Children = children ?? [];
    }

    public Asn1Tag Tag { get; set; }

    /// <summary>The contents octets of a primitive value (empty for constructed ones).</summary>
    public byte[] Content { get; set; }

    /// <summary>The children of a constructed value.</summary>
    public List<AsnNode> Children { get; }

    public bool IsConstructed => Tag.IsConstructed;

    public AsnNode this[int index] => Children[index];

    /// <summary>Parses exactly one encoded value (BER or DER, definite or indefinite lengths).</summary>
    public static AsnNode Parse(ReadOnlySpan<byte> encoded)
    {
        var node = ParseOne(encoded, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new ArgumentException($"{encoded.Length - consumed} bytes follow the value.", nameof(encoded));
        }

        return node;
    }

    private static AsnNode ParseOne(ReadOnlySpan<byte> encoded, out int consumed)
    {
        var tag = AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.BER, out var contentOffset, out var contentLength, out consumed);
        var content = encoded.Slice(contentOffset, contentLength);
        if (!tag.IsConstructed)
        {
            return new AsnNode(tag, content.ToArray(), null);
        }

        var children = new List<AsnNode>();
        while (!content.IsEmpty)
        {
            children.Add(ParseOne(content, out var used));
            content = content[used..];
        }

        return new AsnNode(tag, [], children);
    }

    public static AsnNode Primitive(Asn1Tag tag, byte[] content) => new(tag, content, null);

    public static AsnNode Constructed(Asn1Tag tag, params AsnNode[] children) => new(tag.AsConstructed(), [], children.ToList());

    public static AsnNode Sequence(params AsnNode[] children) => Constructed(Asn1Tag.Sequence, children);

    public static AsnNode Set(params AsnNode[] children) => Constructed(Asn1Tag.SetOf, children);

    public static AsnNode ObjectIdentifier(string oid) => FromWriter(w => w.WriteObjectIdentifier(oid));

    public static AsnNode OctetString(ReadOnlySpan<byte> value)
    {
        var copy = value.ToArray();
        return FromWriter(w => w.WriteOctetString(copy));
    }

    public static AsnNode Integer(long value) => FromWriter(w => w.WriteInteger(value));

    public static AsnNode String(UniversalTagNumber type, string value) => FromWriter(w => w.WriteCharacterString(type, value));

    public static AsnNode Null() => FromWriter(w => w.WriteNull());

    /// <summary>A node for whatever one <see cref="AsnWriter"/> call writes.</summary>
    public static AsnNode FromWriter(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return Parse(writer.Encode());
    }

    public string ReadObjectIdentifier() => AsnDecoder.ReadObjectIdentifier(Encode(), AsnEncodingRules.BER, out _);

    public AsnNode Clone() => new(Tag, (byte[])Content.Clone(), Children.Select(c => c.Clone()).ToList());

    /// <summary>All nodes of the tree, this one first, depth first.</summary>
    public IEnumerable<AsnNode> DescendantsAndSelf()
    {
        yield return this;
        foreach (var child in Children)
        {
            foreach (var node in child.DescendantsAndSelf())
            {
                yield return node;
            }
        }
    }

    /// <summary>Definite lengths everywhere (DER when the input was DER).</summary>
    public byte[] Encode() => Encode(_ => false);

    /// <summary>
    /// BER with indefinite lengths for every constructed value, as BouncyCastle streams a message, except the
    /// subtrees <paramref name="keepDefinite"/> selects (such as embedded certificates, which stay DER).
    /// </summary>
    public byte[] EncodeIndefinite(Func<AsnNode, bool>? keepDefinite = null)
    {
        var definite = new HashSet<AsnNode>(ReferenceEqualityComparer.Instance);
        foreach (var node in DescendantsAndSelf().Where(n => keepDefinite?.Invoke(n) == true).ToList())
        {
            definite.UnionWith(node.DescendantsAndSelf());
        }

        return Encode(node => !definite.Contains(node));
    }

    /// <summary>Indefinite lengths exactly for the constructed values <paramref name="indefinite"/> selects.</summary>
    public byte[] Encode(Func<AsnNode, bool> indefinite)
    {
        using var stream = new MemoryStream();
        WriteTo(stream, indefinite);
        return stream.ToArray();
    }

    private void WriteTo(Stream stream, Func<AsnNode, bool> indefinite)
    {
        Span<byte> tag = stackalloc byte[Tag.CalculateEncodedSize()];
        Tag.Encode(tag);
        stream.Write(tag);
        if (IsConstructed && indefinite(this))
        {
            stream.WriteByte(0x80);
            foreach (var child in Children)
            {
                child.WriteTo(stream, indefinite);
            }

            stream.Write([0x00, 0x00]);
            return;
        }

        byte[] content;
        if (IsConstructed)
        {
            using var inner = new MemoryStream();
            foreach (var child in Children)
            {
                child.WriteTo(inner, indefinite);
            }

            content = inner.ToArray();
        }
        else
        {
            content = Content;
        }

        WriteLength(stream, content.Length);
        stream.Write(content);
    }

    private static void WriteLength(Stream stream, int length)
    {
        if (length < 0x80)
        {
            stream.WriteByte((byte)length);
            return;
        }

        var octets = new List<byte>();
        for (var remaining = length; remaining > 0; remaining >>= 8)
        {
            octets.Insert(0, (byte)(remaining & 0xFF));
        }

        stream.WriteByte((byte)(0x80 | octets.Count));
        stream.Write(octets.ToArray());
    }

    public override string ToString() => $"{Tag} ({(IsConstructed ? Children.Count + " children" : Content.Length + " bytes")})";
}
