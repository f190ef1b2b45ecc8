using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client;

/// <summary>
/// The certificate and RSA key that sign a request pkiMessage. The server encrypts its reply to this
/// certificate (RFC 8894 §3.3.2), so the key is RSA: SCEP's key transport is RSA, and this client does not
/// implement the PasswordRecipientInfo alternative of RFC 8894 §3.1.
/// </summary>
public sealed class ScepSigner
{
    /// <summary>How long before <c>now</c> a self-signed signer certificate starts to be valid, for servers whose clock is behind.</summary>
    public static readonly TimeSpan SelfSignedBackdating = TimeSpan.FromHours(1);

    /// <summary>How long a self-signed signer certificate stays valid after <c>now</c>: long enough for a pending request to be polled.</summary>
    public static readonly TimeSpan SelfSignedLifetime = TimeSpan.FromDays(30);

    private ScepSigner(X509Certificate2 certificate, RSA key, bool isSelfSigned)
    {
        Certificate = certificate;
        Key = key;
        IsSelfSigned = isSelfSigned;
    }

    /// <summary>The signer certificate, sent in the request's certificates field.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The RSA private key of <see cref="Certificate"/>; it signs requests and decrypts replies (it may live in an HSM).</summary>
    public RSA Key { get; }

    /// <summary>Whether <see cref="Certificate"/> was made by <see cref="CreateSelfSigned"/>.</summary>
    public bool IsSelfSigned { get; }

    /// <summary>
    /// A signer from an existing certificate and its key: the CA-issued certificate for a renewal, or one made
    /// elsewhere.
    /// </summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="privateKey">Its RSA private key.</param>
    /// <returns>The signer.</returns>
    /// <exception cref="ArgumentException">The key does not belong to the certificate, or the certificate's key is not RSA.</exception>
    public static ScepSigner Create(X509Certificate2 certificate, RSA privateKey)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        using var publicKey = certificate.GetRSAPublicKey()
            ?? throw new ArgumentException("The signer certificate's key is not RSA; SCEP replies are encrypted to it with RSA key transport.", nameof(certificate));
        if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(privateKey.ExportSubjectPublicKeyInfo()))
        {
            throw new ArgumentException("The private key does not belong to the signer certificate.", nameof(privateKey));
        }

        return new ScepSigner(certificate, privateKey, isSelfSigned: false);
    }

    /// <summary>
    /// The signer of an initial enrollment (RFC 8894 §2.3): a self-signed certificate over the key being
    /// certified, with the request's subject and keyUsage digitalSignature and keyEncipherment, valid from
    /// <see cref="SelfSignedBackdating"/> before <paramref name="now"/> for <see cref="SelfSignedLifetime"/>.
    /// </summary>
    /// <param name="privateKey">The RSA key.</param>
    /// <param name="subject">The subject, normally the PKCS#10 request's.</param>
    /// <param name="now">The current time, from the caller's clock.</param>
    /// <returns>The signer.</returns>
    public static ScepSigner CreateSelfSigned(RSA privateKey, X500DistinguishedName subject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(subject);
        var request = new CertificateRequest(subject, privateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x40; // and of full length
        var generator = X509SignatureGenerator.CreateForRSA(privateKey, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(subject, generator, now - SelfSignedBackdating, now + SelfSignedLifetime, serial);
        return new ScepSigner(X509CertificateLoader.LoadCertificate(certificate.RawData), privateKey, isSelfSigned: true);
    }
}
