using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.SampleHost;

/// <summary>
/// The certificates of a CA the host creates, over keys it was given (in memory or in a token): the self-signed CA
/// certificate, for an ECDSA CA the RSA certificate clients encrypt their requests to, and the RA certificate.
/// </summary>
internal static class CaCertificateFactory
{
    /// <summary>The self-signed CA certificate: basicConstraints CA, keyCertSign and cRLSign, digitalSignature; an RSA CA also keyEncipherment.</summary>
    public static X509Certificate2 CreateCa(string subject, AsymmetricAlgorithm key, DateTimeOffset now, int validityYears)
    {
        var request = Request(new X500DistinguishedName(subject), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        // An RSA CA decrypts too: digitalSignature and keyEncipherment, so that Cryptlib and PIX clients accept it for
        // SCEP. An ECDSA CA cannot decrypt, so it does not claim keyEncipherment (clients would encrypt to it).
        var usages = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign;
        if (key is RSA)
        {
            usages |= X509KeyUsageFlags.KeyEncipherment;
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(usages, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = now.AddMinutes(-5);
        return request.Create(request.SubjectName, Generator(key), notBefore, now.AddYears(validityYears), RandomSerial());
    }

    /// <summary>
    /// The RSA certificate an ECDSA CA's clients encrypt to: issued by the CA, valid as long as it, keyUsage
    /// keyEncipherment and dataEncipherment only (Windows and macOS pick the recipient by keyUsage), not a CA.
    /// </summary>
    public static X509Certificate2 CreateEncryptionCertificate(X509Certificate2 ca, AsymmetricAlgorithm caKey, RSA encryptionKey) =>
        IssueMessageCertificate(ca, caKey, encryptionKey, "SCEP encryption", X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment);

    /// <summary>
    /// The RA certificate (<see cref="RaCertificateMode.File"/>): issued by the CA, valid as long as it, keyUsage
    /// digitalSignature (it signs the replies) and keyEncipherment (clients encrypt to it), not a CA.
    /// </summary>
    public static X509Certificate2 CreateRaCertificate(X509Certificate2 ca, AsymmetricAlgorithm caKey, RSA raKey) =>
        IssueMessageCertificate(ca, caKey, raKey, "SCEP RA", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);

    private static X509Certificate2 IssueMessageCertificate(X509Certificate2 ca, AsymmetricAlgorithm caKey, RSA key, string role, X509KeyUsageFlags usages)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(ca.GetNameInfo(X509NameType.SimpleName, forIssuer: false) + " " + role);
        var request = new CertificateRequest(name.Build(), key, HashFor(caKey), RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usages, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        return request.Create(ca.SubjectName, Generator(caKey), ca.NotBefore, ca.NotAfter, RandomSerial());
    }

    /// <summary>A new key for a CA of this algorithm, in memory.</summary>
    public static AsymmetricAlgorithm CreateSoftwareKey(CaKeyAlgorithm algorithm, int rsaKeySize) => algorithm switch
    {
        CaKeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        CaKeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        _ => RSA.Create(rsaKeySize),
    };

    private static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashFor(ecdsa)),
        _ => throw new ArgumentException("A CA key is RSA or ECDSA.", nameof(key)),
    };

    /// <summary>SHA-256, and SHA-384 for a P-384 key (RFC 5480 §4: the hash matched to the curve's strength).</summary>
    private static HashAlgorithmName HashFor(AsymmetricAlgorithm key) =>
        key is ECDsa { KeySize: >= 384 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new ArgumentException("A CA key is RSA or ECDSA.", nameof(key)),
    };

    /// <summary>16 random bytes, the first below 0x80 so the integer stays positive (RFC 5280 §4.1.2.2: at most 20 octets).</summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
