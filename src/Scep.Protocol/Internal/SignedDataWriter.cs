using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Internal;

/// <summary>
/// Writes CMS SignedData with <see cref="AsnWriter"/>: signed (one signer, issuerAndSerialNumber sid,
/// signed attributes in DER set order) and degenerate certs-only (RFC 5652 §5, RFC 8894 §3.4).
/// </summary>
internal static class SignedDataWriter
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);

    /// <summary>A degenerate certs-only SignedData: no content, no signers; certificates kept in the given order.</summary>
    public static byte[] WriteDegenerate(IEnumerable<ReadOnlyMemory<byte>> certificates, IEnumerable<ReadOnlyMemory<byte>> crls)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.SignedData);
        writer.PushSequence(Context0);
        writer.PushSequence();
        writer.WriteInteger(1);
        writer.PushSetOf();
        writer.PopSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.Data);
        writer.PopSequence();
        WriteOrdered(writer, Context0, certificates);
        WriteOrdered(writer, Context1, crls);
        writer.PushSetOf();
        writer.PopSetOf();
        writer.PopSequence();
        writer.PopSequence(Context0);
        writer.PopSequence();
        return writer.Encode();
    }

    /// <summary>A SignedData with one signer over <paramref name="content"/> (absent when null).</summary>
    public static byte[] WriteSigned(
        ReadOnlySpan<byte> content,
        bool hasContent,
        IReadOnlyList<X509Certificate2> certificates,
        X509Certificate2 signerCertificate,
        AsymmetricAlgorithm signerKey,
        HashAlgorithmName digest,
        DateTimeOffset? signingTime,
        IEnumerable<KeyValuePair<string, byte[]>> attributes)
    {
        var attributeWriter = new AsnWriter(AsnEncodingRules.DER);
        attributeWriter.PushSetOf(Context0);
        CmsAttribute.Write(attributeWriter, ScepOids.ContentType, EncodeOid(ScepOids.Data));
        var contentDigest = CryptographicOperations.HashData(digest, hasContent ? content : ReadOnlySpan<byte>.Empty);
        CmsAttribute.Write(attributeWriter, ScepOids.MessageDigest, EncodeOctetString(contentDigest));
        if (signingTime is { } time)
        {
            CmsAttribute.Write(attributeWriter, ScepOids.SigningTime, EncodeTime(time));
        }

        foreach (var attribute in attributes)
        {
            CmsAttribute.Write(attributeWriter, attribute.Key, attribute.Value);
        }

        attributeWriter.PopSetOf(Context0);
        var signedAttributes = attributeWriter.Encode();
        var toBeSigned = (byte[])signedAttributes.Clone();
        toBeSigned[0] = 0x31;
        var signature = Signatures.SignData(signerKey, digest, toBeSigned);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.SignedData);
        writer.PushSequence(Context0);
        writer.PushSequence();
        writer.WriteInteger(1);
        writer.PushSetOf();
        Algorithms.WriteDigestAlgorithm(writer, digest);
        writer.PopSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.Data);
        if (hasContent)
        {
            writer.PushSequence(Context0);
            writer.WriteOctetString(content);
            writer.PopSequence(Context0);
        }

        writer.PopSequence();
        var encodedCertificates = new List<ReadOnlyMemory<byte>>(certificates.Count);
        foreach (var certificate in certificates)
        {
            encodedCertificates.Add(certificate.RawDataMemory);
        }

        WriteOrdered(writer, Context0, encodedCertificates);
        writer.PushSetOf();
        writer.PushSequence();
        writer.WriteInteger(1);
        IssuerAndSerialNumber.FromCertificate(signerCertificate).Write(writer);
        Algorithms.WriteDigestAlgorithm(writer, digest);
        writer.WriteEncodedValue(signedAttributes);
        Algorithms.WriteSignatureAlgorithm(writer, signerKey, digest);
        writer.WriteOctetString(signature);
        writer.PopSequence();
        writer.PopSetOf();
        writer.PopSequence();
        writer.PopSequence(Context0);
        writer.PopSequence();
        return writer.Encode();
    }

    // The [0] certificates and [1] crls sets keep the caller's order (valid BER): SCEP clients take the
    // first certificate of a CertRep as the issued one (RFC 8894 §3.3.2; reference §5.4).
    private static void WriteOrdered(AsnWriter writer, Asn1Tag tag, IEnumerable<ReadOnlyMemory<byte>> values)
    {
        using var enumerator = values.GetEnumerator();
        if (!enumerator.MoveNext())
        {
            return;
        }

        writer.PushSequence(tag);
        do
        {
            writer.WriteEncodedValue(enumerator.Current.Span);
        }
        while (enumerator.MoveNext());
        writer.PopSequence(tag);
    }

    public static byte[] EncodeOid(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    public static byte[] EncodeOctetString(ReadOnlySpan<byte> value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(value);
        return writer.Encode();
    }

    public static byte[] EncodePrintableString(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.PrintableString, value);
        return writer.Encode();
    }

    public static byte[] EncodeUtf8String(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        return writer.Encode();
    }

    /// <summary>RFC 5652 §11.3: UTCTime for 1950 to 2049, GeneralizedTime otherwise; whole seconds.</summary>
    public static byte[] EncodeTime(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        utc = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second, TimeSpan.Zero);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        if (utc.Year is >= 1950 and < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }

        return writer.Encode();
    }
}
