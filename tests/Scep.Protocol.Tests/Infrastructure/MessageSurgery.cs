using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// Re-encodes a valid message with one part changed, to build the corrupted inputs of the negative tests.
/// Everything not edited keeps its bytes; <see cref="SignedMessage.Resign"/> repairs messageDigest and the
/// signature after an edit when a test wants exactly one fault.
/// </summary>
public static class MessageSurgery
{
    public static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    public static readonly Asn1Tag Context0Primitive = new(TagClass.ContextSpecific, 0);

    /// <summary>Parses a ContentInfo(signedData), lets <paramref name="edit"/> change it, and returns the new encoding.</summary>
    public static byte[] Edit(ReadOnlyMemory<byte> message, Action<SignedMessage> edit)
    {
        var tree = new SignedMessage(AsnNode.Parse(message.Span));
        edit(tree);
        return tree.Root.Encode();
    }

    public static byte[] Edit(PkiMessage message, Action<SignedMessage> edit) => Edit(message.RawData, edit);

    /// <summary>Parses a ContentInfo(envelopedData), lets <paramref name="edit"/> change it, and returns the new encoding.</summary>
    public static byte[] EditEnvelope(ReadOnlyMemory<byte> envelope, Action<EnvelopeTree> edit)
    {
        var tree = new EnvelopeTree(AsnNode.Parse(envelope.Span));
        edit(tree);
        return tree.Root.Encode();
    }

    /// <summary>Flips the bits selected by <paramref name="mask"/> in byte <paramref name="index"/> of a copy (negative: from the end).</summary>
    public static byte[] Flip(ReadOnlySpan<byte> data, int index, byte mask = 0x01)
    {
        var copy = data.ToArray();
        copy[index < 0 ? copy.Length + index : index] ^= mask;
        return copy;
    }

    /// <summary>The DER of a Name given as text, for attribute values.</summary>
    public static AsnNode Name(string distinguishedName) => AsnNode.Parse(new X500DistinguishedName(distinguishedName).RawData);

    /// <summary>
    /// Edits the to-be-signed part of a certificate or PKCS#10 request (both are SEQUENCE { tbs, algorithm,
    /// BIT STRING }) and signs it again with <paramref name="signingKey"/>, keeping the algorithm identifier.
    /// </summary>
    public static byte[] EditSigned(ReadOnlyMemory<byte> encoded, Action<AsnNode> editToBeSigned, AsymmetricAlgorithm signingKey, HashAlgorithmName hash)
    {
        var root = AsnNode.Parse(encoded.Span);
        editToBeSigned(root[0]);
        root[2].Content = [0, .. Sign(signingKey, hash, root[0].Encode())];
        return root.Encode();
    }

    public static byte[] Sign(AsymmetricAlgorithm key, HashAlgorithmName hash, byte[] data) => key switch
    {
        RSA rsa => rsa.SignData(data, hash, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => ecdsa.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
    };

    /// <summary>The extension SEQUENCE for <paramref name="oid"/> in a TBSCertificate, or null.</summary>
    public static AsnNode? CertificateExtension(AsnNode toBeSigned, string oid) =>
        toBeSigned.Children.LastOrDefault(n => n.Tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))?[0]
            .Children.FirstOrDefault(e => e[0].ReadObjectIdentifier() == oid);

    public static HashAlgorithmName DigestForOid(string oid) => oid switch
    {
        "1.2.840.113549.2.5" => HashAlgorithmName.MD5,
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"No digest for {oid}.", nameof(oid)),
    };
}

/// <summary>A ContentInfo(signedData) with one signer, as an editable tree, with names for its parts.</summary>
public sealed class SignedMessage
{
    public SignedMessage(AsnNode root)
    {
        Root = root;
    }

    public AsnNode Root { get; }

    public AsnNode SignedData => Root[1][0];

    public AsnNode DigestAlgorithms => SignedData[1];

    public AsnNode EncapsulatedContentInfo => SignedData[2];

    /// <summary>The [0] IMPLICIT certificates, or null.</summary>
    public AsnNode? Certificates => SignedData.Children.Skip(3).FirstOrDefault(n => n.Tag.HasSameClassAndValue(MessageSurgery.Context0));

    public AsnNode SignerInfos => SignedData.Children[^1];

    public AsnNode Signer => SignerInfos[0];

    public AsnNode Sid => Signer[1];

    public AsnNode SignerDigestAlgorithm => Signer[2];

    public AsnNode SignedAttributes => Signer[3];

    public AsnNode SignatureAlgorithm => Signer[4];

    public AsnNode Signature => Signer[5];

    /// <summary>The eContent octets, or null when absent; setting null removes eContent.</summary>
    public byte[]? EContent
    {
        get => EncapsulatedContentInfo.Children.Count > 1 ? EncapsulatedContentInfo[1][0].Content : null;
        set
        {
            while (EncapsulatedContentInfo.Children.Count > 1)
            {
                EncapsulatedContentInfo.Children.RemoveAt(1);
            }

            if (value is not null)
            {
                EncapsulatedContentInfo.Children.Add(AsnNode.Constructed(MessageSurgery.Context0, AsnNode.OctetString(value)));
            }
        }
    }

    /// <summary>The Attribute SEQUENCE for <paramref name="oid"/>, or null.</summary>
    public AsnNode? Attribute(string oid) => SignedAttributes.Children.FirstOrDefault(a => a[0].ReadObjectIdentifier() == oid);

    public SignedMessage RemoveAttribute(string oid)
    {
        SignedAttributes.Children.RemoveAll(a => a[0].ReadObjectIdentifier() == oid);
        return this;
    }

    /// <summary>Replaces the values of attribute <paramref name="oid"/> (adding the attribute when absent).</summary>
    public SignedMessage SetAttribute(string oid, params AsnNode[] values)
    {
        var attribute = Attribute(oid);
        if (attribute is null)
        {
            return AddAttribute(oid, values);
        }

        attribute.Children[1] = AsnNode.Set(values);
        return this;
    }

    /// <summary>Appends another Attribute for <paramref name="oid"/>, even when one exists.</summary>
    public SignedMessage AddAttribute(string oid, params AsnNode[] values)
    {
        SignedAttributes.Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(oid), AsnNode.Set(values)));
        return this;
    }

    public SignedMessage EditEnvelope(Action<EnvelopeTree> edit)
    {
        var content = EContent ?? throw new InvalidOperationException("The message has no content.");
        EContent = MessageSurgery.EditEnvelope(content, edit);
        return this;
    }

    /// <summary>Sets messageDigest to the digest of the current eContent and signs the signed attributes again.</summary>
    public SignedMessage Resign(AsymmetricAlgorithm key)
    {
        var hash = MessageSurgery.DigestForOid(SignerDigestAlgorithm[0].ReadObjectIdentifier());
        var digest = CryptographicOperations.HashData(hash, EContent ?? []);
        SetAttribute("1.2.840.113549.1.9.4", AsnNode.OctetString(digest));
        var toBeSigned = SignedAttributes.Encode();
        toBeSigned[0] = 0x31;
        Signature.Content = MessageSurgery.Sign(key, hash, toBeSigned);
        return this;
    }
}

/// <summary>A ContentInfo(envelopedData) with key-transport recipients, as an editable tree.</summary>
public sealed class EnvelopeTree
{
    public EnvelopeTree(AsnNode root)
    {
        Root = root;
    }

    public AsnNode Root { get; }

    public AsnNode EnvelopedData => Root[1][0];

    public AsnNode RecipientInfos => EnvelopedData[1];

    public AsnNode Recipient => RecipientInfos[0];

    public AsnNode KeyEncryptionAlgorithm => Recipient[2];

    public AsnNode EncryptedKey => Recipient[3];

    public AsnNode EncryptedContentInfo => EnvelopedData[2];

    public AsnNode ContentEncryptionAlgorithm => EncryptedContentInfo[1];

    public AsnNode EncryptedContent => EncryptedContentInfo[2];
}
