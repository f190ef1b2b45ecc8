using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace Scep.Protocol.Server.Testing.Pipeline;

/// <summary>
/// The CA and the client keys of the pipeline checks, made in code once per process: RSA key generation is the slow
/// part (about 100 ms a key), so a few client keys are shared by every check.
/// </summary>
internal static class ContractPki
{
    /// <summary>How many client keys the checks share.</summary>
    public const int ClientKeys = 5;

    private static readonly DateTimeOffset ValidFrom = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ValidTo = new(2060, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<(X509Certificate2 Certificate, RSA Key)> SharedCa = new(CreateCa, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<RSA>[] Keys = CreateKeySlots();

    /// <summary>A self-signed RSA-2048 CA: basicConstraints CA, keyUsage keyCertSign, cRLSign, digitalSignature and keyEncipherment (it also signs and decrypts SCEP messages).</summary>
    public static X509Certificate2 CaCertificate => SharedCa.Value.Certificate;

    public static RSA CaKey => SharedCa.Value.Key;

    /// <summary>One of the shared client keys.</summary>
    public static RSA ClientKey(int slot) => Keys[slot % ClientKeys].Value;

    /// <summary>The self-signed certificate a SCEP client signs its PKCSReq with (RFC 8894 §2.3), for the key of its request.</summary>
    public static X509Certificate2 SelfSigned(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        using var certificate = request.CreateSelfSigned(ValidFrom, ValidTo);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>A certificate of this CA for <paramref name="key"/>: what an issuance before a crash left in the certificate store.</summary>
    public static X509Certificate2 Issue(string subject, RSA key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        using var certificate = request.Create(
            CaCertificate.SubjectName, X509SignatureGenerator.CreateForRSA(CaKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static (X509Certificate2, RSA) CreateCa()
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Scep.Protocol Store Contract CA,O=Scep.Protocol.Server.Testing", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(ValidFrom, ValidTo);
        return (X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    private static Lazy<RSA>[] CreateKeySlots()
    {
        var slots = new Lazy<RSA>[ClientKeys];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new Lazy<RSA>(() => RSA.Create(2048), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        return slots;
    }
}
