using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Infrastructure;

/// <summary>
/// pkiMessages written by hand with <see cref="AsnWriter"/>, for the encodings the codec itself never produces:
/// the old PKCS#7 content form (OpenSCEP), envelopes tampered after encryption, and BER indefinite lengths (jSCEP).
/// </summary>
public static class HandBuiltMessage
{
    private const string DataOid = "1.2.840.113549.1.7.1";
    private const string SignedDataOid = "1.2.840.113549.1.7.2";
    private const string ContentTypeOid = "1.2.840.113549.1.9.3";
    private const string MessageDigestOid = "1.2.840.113549.1.9.4";
    private const string SigningTimeOid = "1.2.840.113549.1.9.5";
    private const string MessageTypeOid = "2.16.840.1.113733.1.9.2";
    private const string SenderNonceOid = "2.16.840.1.113733.1.9.5";
    private const string TransactionIdOid = "2.16.840.1.113733.1.9.7";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    /// <summary>How the EnvelopedData sits in the SignedData's encapContentInfo.</summary>
    public enum ContentForm
    {
        /// <summary>RFC 5652: <c>[0] EXPLICIT OCTET STRING</c> holding the EnvelopedData ContentInfo; digest over the octets.</summary>
        Cms,

        /// <summary>RFC 2315 as old PKCS#7 toolkits wrote it: the ContentInfo directly in <c>[0]</c>; digest over its contents octets.</summary>
        Pkcs7,
    }

    /// <summary>Signs a request whose pkcsPKIEnvelope is <paramref name="envelope"/> (already encrypted, possibly tampered).</summary>
    public static byte[] Sign(
        MessageType messageType,
        ReadOnlySpan<byte> envelope,
        TestCredential signer,
        HashAlgorithmName digest,
        string transactionId,
        ReadOnlySpan<byte> senderNonce,
        DateTimeOffset? signingTime,
        ContentForm form = ContentForm.Cms)
    {
        var digested = form == ContentForm.Cms ? envelope : ContentsOctets(envelope);
        var messageDigest = CryptographicOperations.HashData(digest, digested);

        var attributes = new AsnWriter(AsnEncodingRules.DER);
        using (attributes.PushSetOf())
        {
            WriteAttribute(attributes, ContentTypeOid, w => w.WriteObjectIdentifier(DataOid));
            WriteAttribute(attributes, MessageDigestOid, w => w.WriteOctetString(messageDigest));
            if (signingTime is { } time)
            {
                WriteAttribute(attributes, SigningTimeOid, w => w.WriteUtcTime(time));
            }

            WriteAttribute(attributes, MessageTypeOid, w => w.WriteCharacterString(UniversalTagNumber.PrintableString, ((int)messageType).ToString(CultureInfo.InvariantCulture)));
            WriteAttribute(attributes, TransactionIdOid, w => w.WriteCharacterString(UniversalTagNumber.PrintableString, transactionId));
            var nonce = senderNonce.ToArray();
            WriteAttribute(attributes, SenderNonceOid, w => w.WriteOctetString(nonce));
        }

        var signedAttributes = attributes.Encode();
        var signature = signer.Rsa.SignData(signedAttributes, digest, RSASignaturePadding.Pkcs1);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SignedDataOid);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    WriteDigestAlgorithm(writer, digest);
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(DataOid);
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        if (form == ContentForm.Cms)
                        {
                            writer.WriteOctetString(envelope);
                        }
                        else
                        {
                            writer.WriteEncodedValue(envelope);
                        }
                    }
                }

                using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    writer.WriteEncodedValue(signer.Certificate.RawData);
                }

                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(signer.Certificate.IssuerName.RawData);
                        writer.WriteInteger(signer.Certificate.SerialNumberBytes.Span);
                    }

                    WriteDigestAlgorithm(writer, digest);
                    var implicitAttributes = (byte[])signedAttributes.Clone();
                    implicitAttributes[0] = 0xA0; // [0] IMPLICIT SET OF Attribute
                    writer.WriteEncodedValue(implicitAttributes);
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(RsaEncryptionOid);
                        writer.WriteNull();
                    }

                    writer.WriteOctetString(signature);
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>
    /// Re-encodes a DER pkiMessage as BouncyCastle-based clients (jSCEP) send it: the ContentInfo, its [0], the
    /// SignedData, the encapContentInfo and its [0] with indefinite lengths, and the eContent as a constructed
    /// OCTET STRING of 1000-byte chunks. Signatures stay valid: neither the signed attributes nor the content octets change.
    /// </summary>
    public static byte[] WithIndefiniteLengths(ReadOnlySpan<byte> der)
    {
        var contentInfo = Children(der);
        var explicitSignedData = Children(contentInfo[1]);
        var signedData = Children(explicitSignedData[0]);
        var encapsulated = Children(signedData[2]);
        var explicitContent = Children(encapsulated[1]);
        var octets = ReadOctets(explicitContent[0]);

        var chunks = new List<byte[]>();
        for (var i = 0; i < octets.Length; i += 1000)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteOctetString(octets.AsSpan(i, Math.Min(1000, octets.Length - i)));
            chunks.Add(writer.Encode());
        }

        var content = Indefinite(0x24, chunks); // constructed OCTET STRING
        var newEncapsulated = Indefinite(0x30, [encapsulated[0], Indefinite(0xA0, [content])]);
        var newSignedData = Indefinite(0x30, [signedData[0], signedData[1], newEncapsulated, .. signedData.Skip(3)]);
        return Indefinite(0x30, [contentInfo[0], Indefinite(0xA0, [newSignedData])]);
    }

    private static byte[] Indefinite(byte tag, IEnumerable<byte[]> children)
    {
        var bytes = new List<byte> { tag, 0x80 };
        foreach (var child in children)
        {
            bytes.AddRange(child);
        }

        bytes.Add(0x00);
        bytes.Add(0x00);
        return bytes.ToArray();
    }

    private static List<byte[]> Children(ReadOnlySpan<byte> constructed)
    {
        AsnDecoder.ReadEncodedValue(constructed, AsnEncodingRules.BER, out var offset, out var length, out _);
        var inner = constructed.Slice(offset, length);
        var children = new List<byte[]>();
        while (!inner.IsEmpty)
        {
            AsnDecoder.ReadEncodedValue(inner, AsnEncodingRules.BER, out _, out _, out var consumed);
            children.Add(inner[..consumed].ToArray());
            inner = inner[consumed..];
        }

        return children;
    }

    private static byte[] ReadOctets(byte[] octetString) => new AsnReader(octetString, AsnEncodingRules.BER).ReadOctetString();

    private static ReadOnlySpan<byte> ContentsOctets(ReadOnlySpan<byte> tlv)
    {
        AsnDecoder.ReadEncodedValue(tlv, AsnEncodingRules.DER, out var offset, out var length, out _);
        return tlv.Slice(offset, length);
    }

    private static void WriteAttribute(AsnWriter writer, string oid, Action<AsnWriter> value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            using (writer.PushSetOf())
            {
                value(writer);
            }
        }
    }

    private static void WriteDigestAlgorithm(AsnWriter writer, HashAlgorithmName digest)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(digest.Name switch
            {
                "MD5" => "1.2.840.113549.2.5",
                "SHA1" => "1.3.14.3.2.26",
                "SHA256" => "2.16.840.1.101.3.4.2.1",
                "SHA384" => "2.16.840.1.101.3.4.2.2",
                "SHA512" => "2.16.840.1.101.3.4.2.3",
                _ => throw new ArgumentOutOfRangeException(nameof(digest), digest.Name, "no OID"),
            });
            writer.WriteNull();
        }
    }
}
