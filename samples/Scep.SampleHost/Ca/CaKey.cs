using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// A CA certificate with its private key, for an ECDSA CA the RSA encryption certificate and key clients encrypt to, and
/// with <c>SampleHost:RaCertificate=File</c> the RA certificate that signs the replies and decrypts the envelopes.
/// </summary>
/// <param name="Certificate">The CA certificate.</param>
/// <param name="Key">Its private key: RSA or ECDsa, in memory or in a PKCS#11 token.</param>
/// <param name="EncryptionCertificate">The RSA certificate envelopes are encrypted to, when the CA does not decrypt itself.</param>
/// <param name="EncryptionKey">The private key of <paramref name="EncryptionCertificate"/>.</param>
public sealed record CaKey(X509Certificate2 Certificate, AsymmetricAlgorithm Key, X509Certificate2? EncryptionCertificate = null, RSA? EncryptionKey = null)
{
    /// <summary>SHA-256 of the certificate, hex: how the database names this CA.</summary>
    public string Id { get; } = IdOf(Certificate);

    /// <summary>The RA certificate and its key (<see cref="RaCertificateMode.File"/>), or null when the CA's keys do the messages.</summary>
    public RaKey? Ra { get; init; }

    public static string IdOf(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>The pipeline's credentials for this CA: with an RA certificate, the CA key only issues.</summary>
    public ScepCaCredentials ToCredentials() => Ra is { } ra
        ? new ScepCaCredentials
        {
            CaCertificate = Certificate,
            CaKey = Key,
            SigningCertificate = ra.Certificate,
            SigningKey = ra.Key,
            DecryptionCertificate = ra.Certificate,
            DecryptionKey = ra.Key,
        }
        : EncryptionCertificate is { } encryption
        ? ScepCaCredentials.ForSigningCa(Certificate, Key, encryption, EncryptionKey ?? throw new SampleHostConfigurationException("The CA's encryption certificate has no key."))
        : ScepCaCredentials.ForCa(Certificate, Key as RSA ?? throw new SampleHostConfigurationException($"The CA {Certificate.Subject} has an ECDSA key but no RSA encryption certificate."));
}

/// <summary>An RA certificate issued by the CA, with its RSA key: it signs SCEP replies and decrypts the clients' envelopes.</summary>
/// <param name="Certificate">The RA certificate.</param>
/// <param name="Key">Its private key, in memory (from <c>ra.p12</c>).</param>
public sealed record RaKey(X509Certificate2 Certificate, RSA Key);
