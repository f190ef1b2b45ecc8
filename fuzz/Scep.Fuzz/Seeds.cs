using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.IO;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scep.Protocol;

namespace Scep.Fuzz;

/// <summary>
/// The seed corpus: one valid input of every kind the target decodes, each prefixed with its decoder byte
/// (<see cref="DecoderTarget.Kind"/>). Requests are encrypted to the golden CA so that fuzzing reaches decryption
/// and the messageData parsers. Keys are RSA-1024 to keep the seeds small (the fuzzer works on bytes, not on keys).
/// </summary>
internal static class Seeds
{
    private static readonly DateTimeOffset Time = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static int Write(string directory, FuzzPki pki)
    {
        Directory.CreateDirectory(directory);
        var seeds = new List<(string Name, DecoderTarget.Kind Kind, byte[] Data)>();
        void Add(string name, DecoderTarget.Kind kind, byte[] data) => seeds.Add((name, kind, data));

        using var clientKey = RSA.Create(1024);
        var client = SelfSigned("CN=fuzz-client", clientKey);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=fuzz-client,O=Fuzz"))
        {
            ChallengePassword = "fuzz-Challenge.1",
            UnstructuredName = "device-1",
            Extensions = { new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true) },
        }.Build(clientKey, HashAlgorithmName.SHA256);
        var utf8Csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=fuzz-ü"))
        {
            ChallengePassword = "pässword",
            ChallengePasswordEncoding = UniversalTagNumber.UTF8String,
            UseMicrosoftExtensionAttribute = true,
        }.Build(clientKey, HashAlgorithmName.SHA1);

        PkiRequestParameters Parameters(
            X509Certificate2 signer, AsymmetricAlgorithm key, ContentEncryptionAlgorithm encryption, HashAlgorithmName digest,
            KeyTransportAlgorithm keyTransport = KeyTransportAlgorithm.RsaPkcs1, X509Certificate2[]? extra = null) => new()
        {
            KeyTransport = keyTransport,
            AdditionalCertificates = extra ?? [],
            SignerCertificate = signer,
            SignerKey = key,
            RecipientCertificate = pki.Ca,
            TransactionId = "fuzz-transaction",
            ContentEncryption = encryption,
            DigestAlgorithm = digest,
            SigningTime = Time,
        };

        var pkcsReq = PkiMessage.CreatePkcsReq(csr, Parameters(client, clientKey, ContentEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256));
        Add("pkcsreq-aes128-sha256", DecoderTarget.Kind.PkiMessage, pkcsReq.Encode());
        Add("pkcsreq-des-sha1-utf8", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreatePkcsReq(utf8Csr, Parameters(client, clientKey, ContentEncryptionAlgorithm.DesCbc, HashAlgorithmName.SHA1)).Encode());
        Add("pkcsreq-3des-sha512-oaep", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreatePkcsReq(csr, Parameters(client, clientKey, ContentEncryptionAlgorithm.TripleDesCbc, HashAlgorithmName.SHA512, KeyTransportAlgorithm.RsaOaepSha256)).Encode());

        using var issuedKey = RSA.Create(1024);
        var issued = Issue(pki, "CN=fuzz-client", issuedKey, 7);
        var renewalCsr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=fuzz-client")).Build(clientKey, HashAlgorithmName.SHA256);
        Add("renewalreq", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreateRenewalReq(renewalCsr, Parameters(issued, issuedKey, ContentEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, extra: [pki.Ca])).Encode());
        Add("certpoll", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreateCertPoll(IssuerAndSubject.Create(pki.Ca.SubjectName, csr.Subject), Parameters(client, clientKey, ContentEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256)).Encode());
        var serial = IssuerAndSerialNumber.FromCertificate(issued);
        Add("getcert", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreateGetCert(serial, Parameters(issued, issuedKey, ContentEncryptionAlgorithm.Aes192Cbc, HashAlgorithmName.SHA384)).Encode());
        Add("getcrl", DecoderTarget.Kind.PkiMessage,
            PkiMessage.CreateGetCrl(serial, Parameters(issued, issuedKey, ContentEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256)).Encode());

        // Replies: to reach the SUCCESS content parser the "request" is signed by the CA itself, so the reply's
        // envelope is encrypted to a key the target holds.
        var selfRequest = PkiMessage.CreatePkcsReq(csr, Parameters(pki.Ca, pki.Key, ContentEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256));
        var reply = new CertRepParameters { SignerCertificate = pki.Ca, SignerKey = pki.Key, SigningTime = Time };
        var crl = Crl(pki);
        Add("certrep-success", DecoderTarget.Kind.PkiMessage,
            CertRep.CreateSuccess(selfRequest, DegenerateCertificateSet.Create([issued, pki.Ca], [crl]), reply).Encode());
        Add("certrep-pending", DecoderTarget.Kind.PkiMessage, CertRep.CreatePending(pkcsReq, reply).Encode());
        Add("certrep-failure", DecoderTarget.Kind.PkiMessage, CertRep.CreateFailure(pkcsReq, FailInfo.BadTime, "signingTime is off", reply).Encode());

        var goldenDirectory = Path.Combine(AppContext.BaseDirectory, "golden");
        if (Directory.Exists(goldenDirectory))
        {
            foreach (var file in Directory.GetFiles(goldenDirectory, "*.der"))
            {
                Add("golden-" + Path.GetFileNameWithoutExtension(file), DecoderTarget.Kind.PkiMessage, File.ReadAllBytes(file));
            }
        }

        Add("envelope", DecoderTarget.Kind.Envelope, pkcsReq.Envelope!.RawData.ToArray());
        Add("pkcs10", DecoderTarget.Kind.Pkcs10, csr.Encode());
        Add("pkcs10-utf8-ms", DecoderTarget.Kind.Pkcs10, utf8Csr.Encode());

        using var raKey = RSA.Create(1024);
        var ra = Issue(pki, "CN=fuzz-ra", raKey, 8, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        Add("cacert-single", DecoderTarget.Kind.CaCertificates, pki.Ca.RawData);
        Add("cacert-ca-ra", DecoderTarget.Kind.CaCertificates, CaCertificates.Create([ra, pki.Ca]).RawData.ToArray());
        Add("certificate-set", DecoderTarget.Kind.CertificateSet, DegenerateCertificateSet.Create([issued, pki.Ca], [crl]).Encode());
        Add("issuer-and-serial", DecoderTarget.Kind.IssuerAndSerial, serial.Encode());
        Add("issuer-and-subject", DecoderTarget.Kind.IssuerAndSubject, IssuerAndSubject.Create(pki.Ca.SubjectName, csr.Subject).Encode());
        Add("next-ca", DecoderTarget.Kind.NextCa, NextCaCertificates.Create([ra, pki.Ca], pki.Ca, pki.Key, HashAlgorithmName.SHA256, Time).Encode());
        Add("query-message", DecoderTarget.Kind.QueryMessage, Encoding.Latin1.GetBytes(ScepBase64.EncodeForQuery(pkcsReq.RawData.Span)));
        Add("caps", DecoderTarget.Kind.Capabilities, Encoding.Latin1.GetBytes("AES\r\nDES3\r\nGetNextCACert\r\nPOSTPKIOperation\r\nRenewal\r\nSHA-256\r\nSCEPStandard\r\n"));

        foreach (var (name, kind, data) in seeds)
        {
            var bytes = new byte[data.Length + 1];
            bytes[0] = (byte)kind;
            data.CopyTo(bytes, 1);
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }

        return seeds.Count;
    }

    private static X509Certificate2 SelfSigned(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(Time.AddDays(-1), Time.AddYears(1));
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static X509Certificate2 Issue(FuzzPki pki, string subject, RSA key, byte serial, X509KeyUsageFlags? usage = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (usage is { } u)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(u, true));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.Create(pki.Ca, Time.AddDays(-1), Time.AddYears(1), [serial]);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static byte[] Crl(FuzzPki pki)
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry([9], Time.AddDays(-1), X509RevocationReason.KeyCompromise);
        return builder.Build(pki.Ca, BigInteger.One, Time.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, Time);
    }
}
