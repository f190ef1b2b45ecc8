using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>Shortcuts for building the messages of one client/server exchange with the codecs.</summary>
public static class Scenario
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static Pkcs10Request Csr(string subject, AsymmetricAlgorithm key, string? challenge = "secret-123", HashAlgorithmName? hash = null)
    {
        var builder = new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challenge };
        return builder.Build(key, hash ?? HashAlgorithmName.SHA256);
    }

    public static PkiRequestParameters RequestParameters(
        TestCredential signer,
        X509Certificate2 recipient,
        ContentEncryptionAlgorithm encryption = ContentEncryptionAlgorithm.Aes128Cbc,
        HashAlgorithmName? digest = null,
        string? transactionId = null,
        KeyTransportAlgorithm keyTransport = KeyTransportAlgorithm.RsaPkcs1) => new()
        {
            TransactionId = transactionId ?? ScepTransactionId.CreateRandom(),
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = recipient,
            ContentEncryption = encryption,
            DigestAlgorithm = digest ?? HashAlgorithmName.SHA256,
            KeyTransport = keyTransport,
            SigningTime = Now,
        };

    public static CertRepParameters ReplyParameters(TestCredential signer, HashAlgorithmName? digest = null) => new()
    {
        SignerCertificate = signer.Certificate,
        SignerKey = signer.Key,
        SigningTime = Now,
        DigestAlgorithm = digest,
    };

    /// <summary>A PKCSReq from a fresh client to <paramref name="ca"/>, with the client's credential.</summary>
    public static (PkiMessage Request, TestCredential Client, Pkcs10Request Csr) PkcsReq(
        TestCredential ca,
        ContentEncryptionAlgorithm encryption = ContentEncryptionAlgorithm.Aes128Cbc,
        HashAlgorithmName? digest = null,
        string subject = "CN=device-1,O=Example",
        string? challenge = "secret-123",
        int keySlot = 1)
    {
        var key = TestPki.CachedRsa(keySlot);
        var client = TestPki.CreateSelfSigned(subject, key);
        var csr = Csr(subject, key, challenge);
        var request = PkiMessage.CreatePkcsReq(csr, RequestParameters(client, ca.Certificate, encryption, digest));
        return (request, client, csr);
    }
}
