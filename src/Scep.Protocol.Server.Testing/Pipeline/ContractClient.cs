using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server.Testing.Pipeline;

/// <summary>A SCEP client made of the codecs: its key, its self-signed signer certificate, its CSR and its transactionID.</summary>
internal sealed class ContractClient
{
    public ContractClient(string commonName, string? enrollmentCode, int keySlot, string? transactionId = null)
    {
        Key = ContractPki.ClientKey(keySlot);
        var subject = new X500DistinguishedName($"CN={commonName},O=Scep.Protocol Store Contract");
        Signer = ContractPki.SelfSigned(subject.Name, Key);
        Csr = new Pkcs10RequestBuilder(subject) { ChallengePassword = enrollmentCode }.Build(Key, HashAlgorithmName.SHA256);
        TransactionId = transactionId ?? ScepTransactionId.CreateRandom();
    }

    public RSA Key { get; }

    public X509Certificate2 Signer { get; }

    public Pkcs10Request Csr { get; }

    public string TransactionId { get; }

    /// <summary>The transaction's RequesterKeyId as the pipeline records it: SHA-256 (hex) of the signer's SubjectPublicKeyInfo.</summary>
    public string RequesterKeyId => Convert.ToHexString(SHA256.HashData(Signer.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>A PKCSReq for the CA, signed at <paramref name="now"/>.</summary>
    public PkiMessage PkcsReq(DateTimeOffset now) => PkiMessage.CreatePkcsReq(Csr, new PkiRequestParameters
    {
        TransactionId = TransactionId,
        SignerCertificate = Signer,
        SignerKey = Key,
        RecipientCertificate = ContractPki.CaCertificate,
        ContentEncryption = ContentEncryptionAlgorithm.Aes128Cbc,
        DigestAlgorithm = HashAlgorithmName.SHA256,
        SigningTime = now,
    });

    /// <summary>The certificate a SUCCESS reply carries for this client's key, or null.</summary>
    public X509Certificate2? CertificateFrom(PkiMessage reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var content = reply.Decrypt(Signer, Key);
        return content.CertificateSet?.FindByPublicKey(Csr.PublicKey);
    }
}
