using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.SampleHost;

/// <summary>Creates the CA on first start and loads it afterwards, from a passphrase-protected PKCS#12 in the data folder.</summary>
public sealed class CaBootstrap
{
    public const string CaFileName = "ca.p12";
    public const string NextCaFileName = "next-ca.p12";
    public const string PassphraseFileName = "ca.passphrase";
    public const string PassphraseVariable = "SCEP_CA_PASSPHRASE";

    private readonly SampleHostOptions _options;

    public CaBootstrap(SampleHostOptions options)
    {
        _options = options;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
    }

    public string DataDirectory { get; }

    public string CaPath => Path.Combine(DataDirectory, CaFileName);

    public string NextCaPath => Path.Combine(DataDirectory, NextCaFileName);

    /// <summary>Loads the CA, creating the data folder and the CA first if they are missing.</summary>
    /// <param name="created">Whether this call created the CA.</param>
    public (X509Certificate2 Certificate, RSA Key) LoadOrCreate(TimeProvider time, out bool created)
    {
        Directory.CreateDirectory(DataDirectory);
        var passphrase = Passphrase(createIfMissing: true);
        created = !File.Exists(CaPath);
        if (created)
        {
            using var ca = CreateCa(_options.CaSubject, time.GetUtcNow(), null);
            WritePkcs12(CaPath, ca, passphrase);
        }

        return Load(CaPath, passphrase);
    }

    /// <summary>The next CA (after <c>rollover-ca</c>), or null.</summary>
    public (X509Certificate2 Certificate, RSA Key)? LoadNext() =>
        File.Exists(NextCaPath) ? Load(NextCaPath, Passphrase(createIfMissing: false)) : null;

    /// <summary>Creates the next CA certificate (a new key), valid from now, and stores it beside the current one.</summary>
    public X509Certificate2 CreateNext(TimeProvider time, string? subject = null)
    {
        using var next = CreateCa(subject ?? _options.CaSubject, time.GetUtcNow(), null);
        WritePkcs12(NextCaPath, next, Passphrase(createIfMissing: false));
        return X509CertificateLoader.LoadCertificate(next.RawData);
    }

    private X509Certificate2 CreateCa(string subject, DateTimeOffset now, X509Certificate2? _)
    {
        using var key = RSA.Create(_options.CaKeySize);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        // digitalSignature and keyEncipherment too, so that Cryptlib and PIX clients accept the CA for SCEP.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(_options.CaValidityYears));
    }

    private static void WritePkcs12(string path, X509Certificate2 certificate, string passphrase)
    {
        var bytes = certificate.Export(X509ContentType.Pkcs12, passphrase);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: false);
    }

    private static (X509Certificate2, RSA) Load(string path, string passphrase)
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, passphrase, X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
        var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException($"{path} holds no RSA private key.");
        return (X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>The passphrase: configuration, else the environment variable, else the generated file (created once).</summary>
    private string Passphrase(bool createIfMissing)
    {
        if (!string.IsNullOrEmpty(_options.CaPassphrase))
        {
            return _options.CaPassphrase;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(PassphraseVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        var file = Path.Combine(DataDirectory, PassphraseFileName);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        if (!createIfMissing || File.Exists(CaPath))
        {
            throw new InvalidOperationException($"The CA passphrase is not set: configure SampleHost:CaPassphrase or {PassphraseVariable}.");
        }

        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(file, generated);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return generated;
    }
}
