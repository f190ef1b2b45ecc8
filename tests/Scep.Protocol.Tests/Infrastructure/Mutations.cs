using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// Deterministic corruptions of an encoding for the robustness sweeps: truncations, byte and bit flips
/// from a seeded generator, and structure-aware edits of the ASN.1 tree (inner values shortened, removed,
/// duplicated or re-tagged while the outer lengths stay consistent, so the inner decoders are reached).
/// </summary>
public static class Mutations
{
    /// <summary>Every proper prefix of the encoding, the empty one included.</summary>
    public static IEnumerable<byte[]> Truncations(byte[] encoded)
    {
        for (var length = 0; length < encoded.Length; length++)
        {
            yield return encoded[..length];
        }
    }

    /// <summary><paramref name="count"/> copies, each with one byte XORed with a non-zero value.</summary>
    public static IEnumerable<byte[]> ByteFlips(byte[] encoded, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var copy = (byte[])encoded.Clone();
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
            yield return copy;
        }
    }

    /// <summary><paramref name="count"/> copies, each with one bit flipped.</summary>
    public static IEnumerable<byte[]> BitFlips(byte[] encoded, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var copy = (byte[])encoded.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            yield return copy;
        }
    }

    /// <summary>
    /// For every value in the tree: its contents cut in half, its contents emptied, the value removed,
    /// the value duplicated, and its tag replaced by a neighbouring tag number. The rest of the tree is
    /// re-encoded around the change. Values that <paramref name="opaque"/> names are edited as a whole,
    /// but nothing inside them is (for embedded certificates that other sweeps cover).
    /// </summary>
    public static IEnumerable<byte[]> Structural(byte[] encoded, Func<AsnNode, IEnumerable<AsnNode>>? opaque = null)
    {
        var template = AsnNode.Parse(encoded);
        var nodes = template.DescendantsAndSelf().ToList();
        var inside = new HashSet<AsnNode>(ReferenceEqualityComparer.Instance);
        foreach (var whole in opaque?.Invoke(template) ?? [])
        {
            inside.UnionWith(whole.DescendantsAndSelf().Skip(1));
        }

        for (var index = 0; index < nodes.Count; index++)
        {
            if (inside.Contains(nodes[index]))
            {
                continue;
            }

            foreach (var edit in Enum.GetValues<StructuralEdit>())
            {
                var tree = AsnNode.Parse(encoded);
                if (Apply(tree, index, edit))
                {
                    yield return tree.Encode();
                }
            }
        }
    }

    /// <summary>
    /// Selects length fields outside the certificates a pkiMessage carries (their own decoder is OpenSSL's, swept
    /// elsewhere): a filter for <see cref="LengthFields"/>.
    /// </summary>
    public static Func<int, bool> OutsideCertificates(byte[] message)
    {
        var certificates = new SignedMessage(AsnNode.Parse(message)).Certificates;
        if (certificates is null)
        {
            return _ => true;
        }

        var encodedSet = certificates.Encode();
        var start = message.AsSpan().IndexOf(encodedSet);
        return offset => start < 0 || offset <= start + 2 || offset >= start + encodedSet.Length;
    }

    /// <summary>
    /// Length-field corruption: for every definite-length header in the encoding, the length octets rewritten
    /// in place while everything else keeps its bytes — one more, one less, zero, the indefinite form (0x80), the
    /// reserved form (0xFF), and a long form claiming four gigabytes — so the declared length disagrees with the data.
    /// </summary>
    public static IEnumerable<byte[]> LengthFields(byte[] encoded, Func<int, bool>? include = null)
    {
        var headers = new List<(int LengthOffset, int LengthOctets, int ContentLength)>();
        CollectHeaders(encoded, 0, encoded.Length, headers);
        foreach (var (offset, octets, length) in headers)
        {
            if (include?.Invoke(offset) == false)
            {
                continue;
            }

            foreach (var replacement in LengthReplacements(length, octets))
            {
                var copy = new byte[encoded.Length - octets + replacement.Length];
                encoded.AsSpan(0, offset).CopyTo(copy);
                replacement.CopyTo(copy, offset);
                encoded.AsSpan(offset + octets).CopyTo(copy.AsSpan(offset + replacement.Length));
                yield return copy;
            }
        }
    }

    private static IEnumerable<byte[]> LengthReplacements(int length, int octets)
    {
        yield return EncodeLength(length + 1, octets);
        if (length > 0)
        {
            yield return EncodeLength(length - 1, octets);
            yield return [0x00];
        }

        yield return [0x80];
        yield return [0xFF];
        yield return [0x84, 0xFF, 0xFF, 0xFF, 0xF0];
    }

    // The same number of length octets as the original where the value fits, so only the value changes.
    private static byte[] EncodeLength(int length, int octets)
    {
        if (octets == 1 && length < 0x80)
        {
            return [(byte)length];
        }

        var count = Math.Max(octets - 1, 1);
        var bytes = new byte[count + 1];
        bytes[0] = (byte)(0x80 | count);
        for (var i = count; i > 0; i--, length >>= 8)
        {
            bytes[i] = (byte)(length & 0xFF);
        }

        return bytes;
    }

    private static void CollectHeaders(byte[] encoded, int start, int end, List<(int, int, int)> headers)
    {
        var position = start;
        while (position < end)
        {
            var span = encoded.AsSpan(position, end - position);
            System.Formats.Asn1.Asn1Tag tag;
            int contentOffset, contentLength, consumed;
            try
            {
                tag = System.Formats.Asn1.AsnDecoder.ReadEncodedValue(span, System.Formats.Asn1.AsnEncodingRules.BER, out contentOffset, out contentLength, out consumed);
            }
            catch (System.Formats.Asn1.AsnContentException)
            {
                return; // not ASN.1 (ciphertext, signature bits): nothing more to find here
            }

            var tagLength = tag.CalculateEncodedSize();
            var lengthOctets = contentOffset - tagLength;
            var indefinite = span[tagLength] == 0x80;
            if (!indefinite)
            {
                headers.Add((position + tagLength, lengthOctets, contentLength));
            }

            if (tag.IsConstructed)
            {
                CollectHeaders(encoded, position + contentOffset, position + contentOffset + contentLength, headers);
            }
            else if (contentLength > 2 && (encoded[position + contentOffset] & 0x20) != 0)
            {
                // Primitive values that wrap an encoding (an OCTET STRING holding the envelope) are walked too, when they parse.
                var inner = new List<(int, int, int)>();
                CollectHeaders(encoded, position + contentOffset, position + contentOffset + contentLength, inner);
                if (inner.Count > 0 && inner[0].Item1 == position + contentOffset + 1)
                {
                    headers.AddRange(inner);
                }
            }

            position += consumed;
        }
    }

    /// <summary>
    /// Spliced attributes and parts: signed attributes of <paramref name="donors"/> (other valid messages) appended,
    /// put in place of the attribute of the same type, and put under another SCEP attribute's type; a donor's whole
    /// attribute set, SignerInfo, certificates and envelope put in place of this message's. <paramref name="finish"/>
    /// (for instance a re-signature, so the splice is the only fault) runs on each result before it is encoded.
    /// </summary>
    public static IEnumerable<byte[]> Splices(byte[] encoded, IReadOnlyList<byte[]> donors, Action<SignedMessage>? finish = null)
    {
        string[] scepTypes =
        [
            "2.16.840.1.113733.1.9.7", "2.16.840.1.113733.1.9.2", "2.16.840.1.113733.1.9.5", "2.16.840.1.113733.1.9.6",
            "2.16.840.1.113733.1.9.3", "2.16.840.1.113733.1.9.4", "1.2.840.113549.1.9.5", "1.2.840.113549.1.9.3",
        ];
        byte[] Make(Action<SignedMessage> edit)
        {
            var tree = new SignedMessage(AsnNode.Parse(encoded));
            edit(tree);
            finish?.Invoke(tree);
            return tree.Root.Encode();
        }

        foreach (var donorBytes in donors)
        {
            var donor = new SignedMessage(AsnNode.Parse(donorBytes));
            foreach (var attribute in donor.SignedAttributes.Children)
            {
                var type = attribute[0].ReadObjectIdentifier();
                yield return Make(m => m.SignedAttributes.Children.Add(attribute.Clone()));
                yield return Make(m =>
                {
                    var index = m.SignedAttributes.Children.FindIndex(a => a[0].ReadObjectIdentifier() == type);
                    if (index >= 0)
                    {
                        m.SignedAttributes.Children[index] = attribute.Clone();
                    }
                    else
                    {
                        m.SignedAttributes.Children.Insert(0, attribute.Clone());
                    }
                });
                var other = scepTypes[(Array.IndexOf(scepTypes, type) + 1 + (attribute.Encode().Length % (scepTypes.Length - 1))) % scepTypes.Length];
                yield return Make(m => m.SetAttribute(other, attribute[1].Children.Select(v => v.Clone()).ToArray()));
            }

            yield return Make(m =>
            {
                m.SignedAttributes.Children.Clear();
                m.SignedAttributes.Children.AddRange(donor.SignedAttributes.Children.Select(a => a.Clone()));
            });
            yield return Make(m => m.SignerInfos.Children[0] = donor.Signer.Clone());
            if (donor.Certificates is { } certificates && HasCertificates(encoded))
            {
                yield return Make(m => m.Certificates!.Children.Clear());
                yield return Make(m => m.Certificates!.Children.InsertRange(0, certificates.Children.Select(c => c.Clone())));
            }

            if (donor.EContent is { } envelope)
            {
                yield return Make(m => m.EContent = envelope);
            }
        }

        static bool HasCertificates(byte[] bytes) => new SignedMessage(AsnNode.Parse(bytes)).Certificates is not null;
    }

    private enum StructuralEdit
    {
        Halve,
        Empty,
        Remove,
        Duplicate,
        Retag,
    }

    private static bool Apply(AsnNode root, int index, StructuralEdit edit)
    {
        var (node, parent) = Locate(root, index);
        switch (edit)
        {
            case StructuralEdit.Halve when node.IsConstructed && node.Children.Count > 0:
                node.Children.RemoveRange(node.Children.Count / 2, node.Children.Count - (node.Children.Count / 2));
                return true;
            case StructuralEdit.Halve when !node.IsConstructed && node.Content.Length > 0:
                node.Content = node.Content[..(node.Content.Length / 2)];
                return true;
            case StructuralEdit.Empty when node.IsConstructed ? node.Children.Count > 0 : node.Content.Length > 0:
                node.Children.Clear();
                node.Content = [];
                return true;
            case StructuralEdit.Remove when parent is not null:
                parent.Children.Remove(node);
                return true;
            case StructuralEdit.Duplicate when parent is not null:
                parent.Children.Insert(parent.Children.IndexOf(node), node.Clone());
                return true;
            case StructuralEdit.Retag:
                node.Tag = new System.Formats.Asn1.Asn1Tag(node.Tag.TagClass, node.Tag.TagValue == 30 ? 1 : node.Tag.TagValue + 1, node.Tag.IsConstructed);
                return true;
            default:
                return false;
        }
    }

    private static (AsnNode Node, AsnNode? Parent) Locate(AsnNode root, int index)
    {
        var position = 0;
        return Find(root, null) ?? throw new ArgumentOutOfRangeException(nameof(index));

        (AsnNode, AsnNode?)? Find(AsnNode node, AsnNode? parent)
        {
            if (position++ == index)
            {
                return (node, parent);
            }

            foreach (var child in node.Children)
            {
                if (Find(child, node) is { } found)
                {
                    return found;
                }
            }

            return null;
        }
    }
}
