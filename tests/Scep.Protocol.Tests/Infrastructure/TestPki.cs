using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>A certificate and its private key, made in code for tests.</summary>
public sealed record TestCredential(X509Certificate2 Certificate, AsymmetricAlgorithm Key)
{
    public RSA Rsa => (RSA)Key;
}

/// <summary>Builds test PKIs: CAs, RAs, self-signed SCEP client certificates and issued certificates.</summary>
public static class TestPki
{
    private static readonly ConcurrentDictionary<int, RSA> RsaKeys = new();
    private static readonly Lazy<TestCredential> SharedCa = new(() => CreateCa("CN=Scep Test CA,O=Scep.Protocol Tests"));
    private static long _serial = 1000;

    /// <summary>The issue time used for all test certificates (a fixed past instant so tests do not depend on the clock).</summary>
    public static DateTimeOffset NotBefore { get; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A CA (RSA-2048, keyUsage digitalSignature, keyEncipherment, keyCertSign, cRLSign) shared by tests.</summary>
    public static TestCredential Ca => SharedCa.Value;

    /// <summary>A cached RSA key of the given size for slot <paramref name="slot"/>: key generation is the slow part of the tests.</summary>
    public static RSA CachedRsa(int slot, int bits = 2048) => RsaKeys.GetOrAdd(slot * 100_000 + bits, _ => RSA.Create(bits));

    public static TestCredential CreateCa(string subject, AsymmetricAlgorithm? key = null, X509KeyUsageFlags? usage = null, TestCredential? issuer = null)
    {
        key ??= RSA.Create(2048);
        var request = NewRequest(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            usage ?? (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign), true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        X509Certificate2 certificate;
        if (issuer is null)
        {
            certificate = request.CreateSelfSigned(NotBefore, NotBefore.AddYears(20));
        }
        else
        {
            using var issued = request.Create(issuer.Certificate.SubjectName, SignatureGeneratorFor(issuer.Key), NotBefore, NotBefore.AddYears(10), NextSerial());
            certificate = X509CertificateLoader.LoadCertificate(issued.RawData);
        }

        return new TestCredential(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>An RA certificate issued by <paramref name="ca"/> with the given key usage (null: no keyUsage extension).</summary>
    public static TestCredential CreateRa(TestCredential ca, string subject, X509KeyUsageFlags? usage, RSA? key = null)
    {
        key ??= RSA.Create(2048);
        var request = NewRequest(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (usage is { } u)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(u, true));
        }

        using var issued = request.Create(ca.Certificate.SubjectName, SignatureGeneratorFor(ca.Key), NotBefore, NotBefore.AddYears(5), NextSerial());
        return new TestCredential(X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    /// <summary>The self-signed signer certificate a SCEP client makes for a PKCSReq (RFC 8894 §2.3).</summary>
    public static TestCredential CreateSelfSigned(string subject, AsymmetricAlgorithm? key = null)
    {
        key ??= RSA.Create(2048);
        var request = NewRequest(subject, key);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        using var certificate = request.CreateSelfSigned(NotBefore, NotBefore.AddYears(1));
        return new TestCredential(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>An end-entity certificate issued by <paramref name="ca"/> for <paramref name="key"/>.</summary>
    public static TestCredential Issue(TestCredential ca, string subject, AsymmetricAlgorithm? key = null, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null)
    {
        key ??= RSA.Create(2048);
        var request = NewRequest(subject, key);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var from = notBefore ?? NotBefore;
        using var issued = request.Create(ca.Certificate.SubjectName, SignatureGeneratorFor(ca.Key), from, from + (lifetime ?? TimeSpan.FromDays(365)), NextSerial());
        return new TestCredential(X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    public static byte[] NextSerial()
    {
        var value = System.Threading.Interlocked.Increment(ref _serial);
        var bytes = BitConverter.GetBytes(value);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        bytes[0] = 0x01; // positive, fixed length
        return bytes;
    }

    private static X509SignatureGenerator SignatureGeneratorFor(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
    };

    private static CertificateRequest NewRequest(string subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
    };
}
