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
