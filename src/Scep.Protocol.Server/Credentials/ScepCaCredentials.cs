using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>
/// One CA's SCEP credentials: the CA certificate and chain, the certificate and RSA key that decrypt requests,
/// the certificate and key that sign replies (the CA's own, or separate RA certificates), the next CA for a
/// rollover, and earlier CA certificates whose issued certificates may still renew.
/// </summary>
public sealed class ScepCaCredentials
{
    /// <summary>The issuing CA certificate.</summary>
    public required X509Certificate2 CaCertificate { get; init; }

    /// <summary>The certificates above the CA: intermediates, then the root. Empty for a self-signed CA.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; init; } = [];

    /// <summary>The certificate clients encrypt requests to: the CA's, or an RA certificate with keyEncipherment.</summary>
    public required X509Certificate2 DecryptionCertificate { get; init; }

    /// <summary>The RSA private key of <see cref="DecryptionCertificate"/>.</summary>
    public required RSA DecryptionKey { get; init; }

    /// <summary>The certificate that signs replies: the CA's, or an RA certificate with digitalSignature.</summary>
    public required X509Certificate2 SigningCertificate { get; init; }

    /// <summary>The private key of <see cref="SigningCertificate"/> (RSA or ECDsa).</summary>
    public required AsymmetricAlgorithm SigningKey { get; init; }

    /// <summary>The next CA's credentials during a rollover (served by GetNextCACert); null otherwise.</summary>
    public ScepCaCredentials? Next { get; init; }

    /// <summary>Earlier CA certificates (before a rollover) whose issued certificates may still renew.</summary>
    public IReadOnlyList<X509Certificate2> PreviousCaCertificates { get; init; } = [];

    /// <summary>
    /// The private key of <see cref="CaCertificate"/> (RSA or ECDsa), when certificates are issued in this process
    /// (<see cref="IssuingAuthority"/>); null when another system issues (an upstream CA, an RA that forwards).
    /// </summary>
    public AsymmetricAlgorithm? CaKey { get; init; }

    /// <summary>The identifier stores record a CA's certificates by: SHA-256 of its certificate, upper-case hex.</summary>
    /// <param name="caCertificate">A CA certificate.</param>
    /// <returns>The identifier.</returns>
    public static string IdOf(X509Certificate2 caCertificate)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        return caCertificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>Credentials where the CA certificate and its RSA key do everything (CA mode without an RA).</summary>
    /// <param name="caCertificate">The CA certificate; give it keyUsage digitalSignature and keyEncipherment too.</param>
    /// <param name="caKey">Its RSA key.</param>
    /// <param name="chain">Intermediates and root above it, if any.</param>
    /// <returns>The credentials.</returns>
    public static ScepCaCredentials ForCa(X509Certificate2 caCertificate, RSA caKey, IReadOnlyList<X509Certificate2>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        return new ScepCaCredentials
        {
            CaCertificate = caCertificate,
            Chain = chain ?? [],
            DecryptionCertificate = caCertificate,
            DecryptionKey = caKey,
            SigningCertificate = caCertificate,
            SigningKey = caKey,
            CaKey = caKey,
        };
    }

    /// <summary>
    /// Credentials of a CA whose key signs (replies, certificates, CRLs) while a separate RSA certificate receives the
    /// clients' envelopes: an ECDSA CA, which cannot decrypt (RFC 8894 §3.1 has clients encrypt with RSA key transport),
    /// or an RSA CA that keeps its key for signing only. GetCACert returns the encryption certificate first, then the CA.
    /// </summary>
    /// <param name="caCertificate">The CA certificate (keyUsage keyCertSign, cRLSign, digitalSignature).</param>
    /// <param name="caKey">Its private key, RSA or ECDsa: signs replies and issues.</param>
    /// <param name="encryptionCertificate">An RSA certificate the clients encrypt to, with keyUsage keyEncipherment (Windows and macOS choose the recipient by it: docs/devices.md).</param>
    /// <param name="encryptionKey">The RSA private key of <paramref name="encryptionCertificate"/>.</param>
    /// <param name="chain">Intermediates and root above the CA, if any.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="ArgumentException"><paramref name="encryptionCertificate"/> has no RSA key, or a keyUsage without keyEncipherment.</exception>
    public static ScepCaCredentials ForSigningCa(
        X509Certificate2 caCertificate, AsymmetricAlgorithm caKey, X509Certificate2 encryptionCertificate, RSA encryptionKey, IReadOnlyList<X509Certificate2>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        ArgumentNullException.ThrowIfNull(encryptionCertificate);
        ArgumentNullException.ThrowIfNull(encryptionKey);
        if (caKey is not (RSA or ECDsa))
        {
            throw new ArgumentException("The CA key must be RSA or ECDsa.", nameof(caKey));
        }

        using (var publicKey = encryptionCertificate.GetRSAPublicKey())
        {
            if (publicKey is null)
            {
                throw new ArgumentException("The encryption certificate must hold an RSA key: SCEP envelopes use RSA key transport.", nameof(encryptionCertificate));
            }
        }

        if (encryptionCertificate.Extensions["2.5.29.15"] is X509KeyUsageExtension usage && (usage.KeyUsages & X509KeyUsageFlags.KeyEncipherment) == 0)
        {
            throw new ArgumentException("The encryption certificate's keyUsage lacks keyEncipherment; clients would not encrypt to it.", nameof(encryptionCertificate));
        }

        return new ScepCaCredentials
        {
            CaCertificate = caCertificate,
            Chain = chain ?? [],
            DecryptionCertificate = encryptionCertificate,
            DecryptionKey = encryptionKey,
            SigningCertificate = caCertificate,
            SigningKey = caKey,
            CaKey = caKey,
        };
    }
}
