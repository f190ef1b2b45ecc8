using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;
using AttributeTable = Org.BouncyCastle.Asn1.Cms.AttributeTable;
using BcAttribute = Org.BouncyCastle.Asn1.Cms.Attribute;
using BcX509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Scep.Protocol.Tests.Infrastructure.Bc;

/// <summary>How BouncyCastle signs a SCEP message: signer, digest, encoding and identifier choices.</summary>
public sealed record BcSignature
{
    public required TestCredential Signer { get; init; }

    /// <summary>The digest OID (<see cref="CmsSignedGenerator.DigestSha256"/> and friends).</summary>
    public string DigestOid { get; init; } = CmsSignedGenerator.DigestSha256;

    /// <summary>The SignerInfo signatureAlgorithm OID; null leaves BouncyCastle's choice (rsaEncryption).</summary>
    public string? SignatureAlgorithmOid { get; init; }

    /// <summary>Identify the signer by subjectKeyIdentifier (SignerInfo version 3) instead of issuerAndSerialNumber.</summary>
    public bool SubjectKeyIdentifierSid { get; init; }

    /// <summary>Write with <see cref="CmsSignedDataStreamGenerator"/>: BER, indefinite lengths, eContent in chunks (jscep).</summary>
    public bool Streaming { get; init; }

    /// <summary>The chunk size of a streamed eContent; small values make a constructed OCTET STRING of many pieces.</summary>
    public int StreamBufferSize { get; init; } = 64;

    /// <summary>The eContentType; id-data unless a test needs another (GetNextCACert peers may write id-signedData).</summary>
    public string EContentType { get; init; } = CmsObjectIdentifiers.Data.Id;

    /// <summary>The certificates field; null puts the signer's certificate there, empty leaves the field out.</summary>
    public IReadOnlyList<X509Certificate2>? Certificates { get; init; }
}

/// <summary>
/// Builds and reads SCEP messages with BouncyCastle's CMS API, an implementation independent of the codecs
/// under test: the requests and replies jscep, EJBCA and other BouncyCastle-based peers put on the wire.
/// </summary>
public static class BcScep
{
    public static readonly DerObjectIdentifier MessageTypeOid = new("2.16.840.1.113733.1.9.2");
    public static readonly DerObjectIdentifier PkiStatusOid = new("2.16.840.1.113733.1.9.3");
    public static readonly DerObjectIdentifier FailInfoOid = new("2.16.840.1.113733.1.9.4");
    public static readonly DerObjectIdentifier SenderNonceOid = new("2.16.840.1.113733.1.9.5");
    public static readonly DerObjectIdentifier RecipientNonceOid = new("2.16.840.1.113733.1.9.6");
    public static readonly DerObjectIdentifier TransactionIdOid = new("2.16.840.1.113733.1.9.7");
    public static readonly DerObjectIdentifier FailInfoTextOid = new("1.3.6.1.5.5.7.24.1");

    /// <summary>
    /// The SCEP signed attributes, plus signingTime when given and any <paramref name="extra"/> attributes. BouncyCastle's
    /// generators add contentType and messageDigest, and a signingTime from the machine clock when none is given here.
    /// </summary>
    public static AttributeTable SignedAttributes(
        MessageType messageType,
        string transactionId,
        byte[] senderNonce,
        byte[]? recipientNonce = null,
        PkiStatus? status = null,
        FailInfo? failInfo = null,
        string? failInfoText = null,
        DateTimeOffset? signingTime = null,
        IEnumerable<BcAttribute>? extra = null)
    {
        var vector = new Asn1EncodableVector
        {
            Attribute(TransactionIdOid, new DerPrintableString(transactionId)),
            Attribute(MessageTypeOid, Number((int)messageType)),
            Attribute(SenderNonceOid, new DerOctetString(senderNonce)),
        };
        if (recipientNonce is not null)
        {
            vector.Add(Attribute(RecipientNonceOid, new DerOctetString(recipientNonce)));
        }

        if (status is { } s)
        {
            vector.Add(Attribute(PkiStatusOid, Number((int)s)));
        }

        if (failInfo is { } f)
        {
            vector.Add(Attribute(FailInfoOid, Number((int)f)));
        }

        if (failInfoText is not null)
        {
            vector.Add(Attribute(FailInfoTextOid, new DerUtf8String(failInfoText)));
        }

        if (signingTime is { } time)
        {
            vector.Add(Attribute(CmsAttributes.SigningTime, new Org.BouncyCastle.Asn1.Cms.Time(time.UtcDateTime)));
        }

        foreach (var attribute in extra ?? [])
        {
            vector.Add(attribute);
        }

        return new AttributeTable(vector);
    }

    public static BcAttribute Attribute(DerObjectIdentifier oid, Asn1Encodable value) => new(oid, new DerSet(value));

    private static DerPrintableString Number(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A PKCS#10 request made by BouncyCastle, with a PrintableString challengePassword when given.</summary>
    public static byte[] Pkcs10(string subject, RSA key, string? challengePassword, string signatureAlgorithm = "SHA256WITHRSA")
    {
        var attributes = challengePassword is null
            ? new DerSet()
            : new DerSet(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtChallengePassword, new DerSet(new DerPrintableString(challengePassword))));
        var request = new Pkcs10CertificationRequest(
            new Asn1SignatureFactory(signatureAlgorithm, BcConvert.ToBcPrivateKey(key)),
            new X509Name(subject),
            BcConvert.ToBcPublicKey(key),
            attributes);
        return request.GetEncoded();
    }

    /// <summary>
    /// An EnvelopedData ContentInfo for <paramref name="recipient"/>: DER-ish from <see cref="CmsEnvelopedDataGenerator"/>, or
    /// BER with indefinite lengths from <see cref="CmsEnvelopedDataStreamGenerator"/>. <paramref name="keyTransport"/>
    /// null means rsaEncryption (PKCS#1 v1.5).
    /// </summary>
    public static byte[] Envelope(byte[] content, X509Certificate2 recipient, string encryptionOid, bool streaming = false, AlgorithmIdentifier? keyTransport = null)
    {
        var certificate = BcConvert.ToBc(recipient);
        if (streaming)
        {
            var generator = new CmsEnvelopedDataStreamGenerator();
            AddRecipient(generator, certificate, keyTransport);
            generator.SetBufferSize(32);
            generator.SetBerEncodeRecipients(true);
            using var output = new MemoryStream();
            using (var stream = generator.Open(output, encryptionOid))
            {
                stream.Write(content);
            }

            return output.ToArray();
        }
        else
        {
            var generator = new CmsEnvelopedDataGenerator();
            AddRecipient(generator, certificate, keyTransport);
            return generator.Generate(new CmsProcessableByteArray(content), new DerObjectIdentifier(encryptionOid)).GetEncoded();
        }
    }

    private static void AddRecipient(CmsEnvelopedGenerator generator, BcX509Certificate certificate, AlgorithmIdentifier? keyTransport)
    {
        if (keyTransport is null)
        {
            generator.AddKeyTransRecipient(certificate);
        }
        else
        {
            generator.AddRecipientInfoGenerator(new KeyTransRecipientInfoGenerator(certificate, new Asn1KeyWrapper(keyTransport, certificate)));
        }
    }

    /// <summary>The RSAES-OAEP key-transport identifier with <paramref name="digest"/> for the hash and MGF1 (Windows clients).</summary>
    public static AlgorithmIdentifier OaepKeyTransport(DerObjectIdentifier digest)
    {
        var hash = new AlgorithmIdentifier(digest, DerNull.Instance);
        var mgf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, hash);
        return new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsaesOaep, new RsaesOaepParameters(hash, mgf));
    }

    /// <summary>
    /// A SignedData over <paramref name="content"/> (eContent absent when null) with one signer: definite lengths from
    /// <see cref="CmsSignedDataGenerator"/>, or indefinite ones and a chunked eContent when streaming.
    /// </summary>
    public static byte[] Sign(byte[]? content, AttributeTable signedAttributes, BcSignature how)
    {
        ArgumentNullException.ThrowIfNull(how);
        var key = BcConvert.ToBcPrivateKey(how.Signer.Key);
        var signerCertificate = BcConvert.ToBc(how.Signer.Certificate);
        var certificates = (how.Certificates ?? [how.Signer.Certificate]).Select(BcConvert.ToBc).ToList();
        var encryptionOid = how.SignatureAlgorithmOid ?? CmsSignedGenerator.EncryptionRsa;
        var subjectKeyIdentifier = how.SubjectKeyIdentifierSid ? SubjectKeyIdentifier(how.Signer.Certificate) : null;

        if (how.Streaming)
        {
            var generator = new CmsSignedDataStreamGenerator();
            generator.SetBufferSize(how.StreamBufferSize);
            foreach (var certificate in certificates)
            {
                generator.AddCertificate(certificate);
            }

            if (subjectKeyIdentifier is null)
            {
                generator.AddSigner(key, signerCertificate, encryptionOid, how.DigestOid, signedAttributes, null);
            }
            else
            {
                generator.AddSigner(key, subjectKeyIdentifier, encryptionOid, how.DigestOid, new DefaultSignedAttributeTableGenerator(signedAttributes), null);
            }

            using var output = new MemoryStream();
            using (var stream = generator.Open(output, new DerObjectIdentifier(how.EContentType), encapsulate: content is not null))
            {
                if (content is not null)
                {
                    stream.Write(content);
                }
            }

            return output.ToArray();
        }
        else
        {
            var generator = new CmsSignedDataGenerator { UseDefiniteLength = true };
            foreach (var certificate in certificates)
            {
                generator.AddCertificate(certificate);
            }

            if (subjectKeyIdentifier is null)
            {
                generator.AddSigner(key, signerCertificate, encryptionOid, how.DigestOid, signedAttributes, null);
            }
            else
            {
                generator.AddSigner(key, subjectKeyIdentifier, encryptionOid, how.DigestOid, signedAttributes, null);
            }

            return generator.Generate(new CmsProcessableByteArray(new DerObjectIdentifier(how.EContentType), content ?? []), encapsulate: content is not null).GetEncoded();
        }
    }

    /// <summary>A degenerate certificates-only SignedData (no signers) built by BouncyCastle.</summary>
    public static byte[] CertificatesOnly(IEnumerable<X509Certificate2> certificates, IEnumerable<byte[]>? crls = null)
    {
        var generator = new CmsSignedDataGenerator();
        foreach (var certificate in certificates)
        {
            generator.AddCertificate(BcConvert.ToBc(certificate));
        }

        foreach (var crl in crls ?? [])
        {
            generator.AddCrl(new X509Crl(crl));
        }

        return generator.Generate(new CmsProcessableByteArray([]), encapsulate: false).GetEncoded();
    }

    public static byte[] SubjectKeyIdentifier(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();

    /// <summary>
    /// Parses a SignedData with BouncyCastle and checks its only signer with <paramref name="signerCertificate"/>
    /// (SignerInfo names it; messageDigest over the eContent, or over nothing when it is absent; the signature).
    /// </summary>
    public static SignerInformation VerifySingleSigner(ReadOnlyMemory<byte> encoded, X509Certificate2 signerCertificate)
    {
        var signedData = new CmsSignedData(encoded.ToArray());
        if (signedData.SignedContent is null)
        {
            // eContent absent (PENDING, FAILURE): BouncyCastle verifies a detached signature over empty content.
            signedData = new CmsSignedData(new CmsProcessableByteArray([]), encoded.ToArray());
        }

        var signer = SingleSigner(signedData);
        var certificate = BcConvert.ToBc(signerCertificate);
        if (!signer.SignerID.Match(certificate))
        {
            throw new InvalidOperationException("The SignerInfo does not name the expected certificate.");
        }

        // Verify(X509Certificate) would also demand that the certificate be valid at signingTime; the test PKI's
        // one-year client certificates (from TestPki.NotBefore) have expired by Scenario.Now, so check with its key.
        if (!signer.Verify(certificate.GetPublicKey()))
        {
            throw new InvalidOperationException("BouncyCastle did not verify the signature.");
        }

        return signer;
    }

    /// <summary>Decrypts an EnvelopedData ContentInfo with BouncyCastle, for the recipient that names <paramref name="recipient"/>'s certificate.</summary>
    public static byte[] Decrypt(ReadOnlyMemory<byte> envelope, TestCredential recipient)
    {
        var enveloped = new CmsEnvelopedData(envelope.ToArray());
        var certificate = BcConvert.ToBc(recipient.Certificate);
        var info = enveloped.GetRecipientInfos().GetRecipients().Single(r => r.RecipientID.Match(certificate));
        return info.GetContent(BcConvert.ToBcPrivateKey(recipient.Key));
    }

    /// <summary>The only signer of a SignedData parsed by BouncyCastle.</summary>
    public static SignerInformation SingleSigner(CmsSignedData signedData) => signedData.GetSignerInfos().GetSigners().Single();

    /// <summary>The single value of a signed attribute, or null when it is absent.</summary>
    public static Asn1Encodable? Value(SignerInformation signer, DerObjectIdentifier oid)
    {
        var attributes = signer.SignedAttributes.GetAll(oid);
        return attributes.Count switch
        {
            0 => null,
            1 => ((BcAttribute)attributes[0]).AttrValues.Cast<Asn1Encodable>().Single(),
            _ => throw new InvalidOperationException($"Signed attribute {oid} appears {attributes.Count} times."),
        };
    }

    public static string? PrintableString(SignerInformation signer, DerObjectIdentifier oid) =>
        Value(signer, oid) is { } value ? DerPrintableString.GetInstance(value).GetString() : null;

    public static byte[]? OctetString(SignerInformation signer, DerObjectIdentifier oid) =>
        Value(signer, oid) is { } value ? Asn1OctetString.GetInstance(value).GetOctets() : null;

    /// <summary>The certificates of a SignedData in the order BouncyCastle read them.</summary>
    public static List<X509Certificate2> Certificates(CmsSignedData signedData) =>
        signedData.GetCertificates().EnumerateMatches(null).Select(BcConvert.ToDotNet).ToList();
}
