using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost;

/// <summary>
/// Creates the CA on first start and loads it afterwards: from a passphrase-protected PKCS#12 in the data folder, or with
/// <c>SampleHost:CaKey</c> from a PKCS#11 token (<see cref="TokenCaKeys"/>); with <c>SampleHost:RaCertificate=File</c>
/// each CA's RA certificate too (<see cref="RaCertificateFile"/>).
/// </summary>
public sealed class CaBootstrap : IDisposable
{
    public const string CaFileName = "ca.p12";
    public const string NextCaFileName = "next-ca.p12";
    public const string RaFileName = "ra.p12";
    public const string NextRaFileName = "next-ra.p12";
    public const string PassphraseFileName = "ca.passphrase";
    public const string PassphraseVariable = "SCEP_CA_PASSPHRASE";

    private readonly SampleHostOptions _options;
    private readonly TokenCaKeys? _token;

    public CaBootstrap(IOptions<SampleHostOptions> options)
    {
        _options = options.Value;
        DataDirectory = Path.GetFullPath(_options.DataDirectory);
        _token = string.IsNullOrWhiteSpace(_options.CaKey) ? null : new TokenCaKeys(_options, DataDirectory);
    }

    public string DataDirectory { get; }

    /// <summary>Closes the token, when the CA key is in one.</summary>
    public void Dispose() => _token?.Dispose();

    /// <summary>The current CA's file: <c>ca.p12</c>, or with the key in a token <c>ca.pem</c> (its certificates). The key ring watches it.</summary>
    public string CaPath => _token?.CaPath ?? Path.Combine(DataDirectory, CaFileName);

    /// <summary>The next CA's file, after <c>rollover-ca</c>: <c>next-ca.p12</c>, or <c>next-ca.pem</c>.</summary>
    public string NextCaPath => _token?.NextCaPath ?? Path.Combine(DataDirectory, NextCaFileName);

    /// <summary>Loads the CA, creating the data folder and the CA first if they are missing.</summary>
    /// <param name="time">The clock for a new CA's validity.</param>
    /// <param name="created">Whether this call created the CA.</param>
    public CaKey LoadOrCreate(TimeProvider time, out bool created)
    {
        CreateDataDirectory();
        if (_token is not null)
        {
            return WithRa(_token.LoadOrCreate(time, out created), RaFileName);
        }

        var passphrase = Passphrase(CaPath, createIfMissing: true);
        created = false;
        if (!File.Exists(CaPath))
        {
            var ca = CreateCa(time.GetUtcNow());
            created = TryWritePkcs12(CaPath, ca, passphrase.Value);
        }

        return WithRa(Load(CaPath, passphrase), RaFileName);
    }

    /// <summary>The next CA (after <c>rollover-ca</c>), or null.</summary>
    public CaKey? LoadNext()
    {
        var next = _token is not null ? _token.LoadNext()
            : File.Exists(NextCaPath) ? Load(NextCaPath, Passphrase(NextCaPath, createIfMissing: false)) : null;
        return next is null ? null : WithRa(next, NextRaFileName);
    }

    /// <summary>Creates the next CA certificate (a new key), valid from now, and stores it beside the current one.</summary>
    /// <returns>The next CA, or null when one exists already.</returns>
    public CaKey? CreateNext(TimeProvider time)
    {
        if (_token is not null)
        {
            return _token.CreateNext(time) is { } created ? WithRa(created, NextRaFileName) : null;
        }

        var passphrase = Passphrase(CaPath, createIfMissing: false);
        if (!TryWritePkcs12(NextCaPath, CreateCa(time.GetUtcNow()), passphrase.Value))
        {
            return null;
        }

        return WithRa(Load(NextCaPath, passphrase), NextRaFileName);
    }

    /// <summary>The CA with its RA certificate when <c>SampleHost:RaCertificate=File</c> (issued into the data folder first if missing).</summary>
    private CaKey WithRa(CaKey ca, string raFileName)
    {
        if (_options.RaCertificate != RaCertificateMode.File)
        {
            return ca;
        }

        var path = Path.Combine(DataDirectory, raFileName);
        var passphrase = Passphrase(path, createIfMissing: true);
        return RaCertificateFile.Attach(ca, path, passphrase.Value, passphrase.Source, _options.CaKeySize);
    }

    /// <summary>
    /// A new CA in memory, as the certificates to write: the CA with its key, and for an ECDSA CA
    /// (<c>SampleHost:CaKeyAlgorithm</c>) the RSA encryption certificate with its key.
    /// </summary>
    private X509Certificate2Collection CreateCa(DateTimeOffset now)
    {
        using var key = CaCertificateFactory.CreateSoftwareKey(_options.CaKeyAlgorithm, _options.CaKeySize);
        using var ca = CaCertificateFactory.CreateCa(_options.CaSubject, key, now, _options.CaValidityYears);
        var files = new X509Certificate2Collection { WithKey(ca, key) };
        if (key is not RSA)
        {
            using var encryptionKey = RSA.Create(_options.CaKeySize);
            using var encryption = CaCertificateFactory.CreateEncryptionCertificate(ca, key, encryptionKey);
            files.Add(encryption.CopyWithPrivateKey(encryptionKey));
        }

        return files;
    }

    private static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
        _ => throw new ArgumentException("A CA key is RSA or ECDSA.", nameof(key)),
    };

    /// <summary>
    /// How a CA file is protected: PBES2 with AES-256-CBC, PBKDF2-HMAC-SHA256 and 100,000 iterations, for the key, the
    /// certificate and the MAC (.NET's <c>Export(Pkcs12)</c> default is 3DES with SHA-1 and 2,000 iterations).
    /// Loading such a file takes about 0.2 s here, once at start and at each change; files written in the old form
    /// still load. .NET's loader refuses more than 300,000 iterations by default.
    /// </summary>
    internal static readonly PbeParameters KeyProtection = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000);

    /// <summary>Writes the file unless it exists (another process may be creating it at the same moment).</summary>
    private static bool TryWritePkcs12(string path, X509Certificate2Collection certificates, string passphrase)
    {
        try
        {
            return CaFiles.TryCreate(path, certificates.ExportPkcs12(KeyProtection, passphrase));
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Loads a CA file; what keeps it from loading (the file, the passphrase) is named in a <see cref="SampleHostConfigurationException"/>.</summary>
    private static CaKey Load(string path, Secret passphrase)
    {
        var loaded = LoadProtected(path, passphrase.Value, passphrase.Source, "CA file", "move it away to have a new CA created in SampleHost:DataDirectory");
        try
        {
            return FromFile(path, loaded);
        }
        finally
        {
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// The CA of a file: the certificate with basicConstraints cA (or the only one, in files of earlier versions) and its
    /// RSA or ECDSA key; an ECDSA CA's file also holds the RSA encryption certificate and key.
    /// </summary>
    private static CaKey FromFile(string path, X509Certificate2Collection loaded)
    {
        var ca = loaded.Count == 1 ? loaded[0] : loaded.FirstOrDefault(IsCa)
            ?? throw new SampleHostConfigurationException($"The CA file {path} holds no CA certificate.");
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)ca.GetRSAPrivateKey() ?? ca.GetECDsaPrivateKey()
            ?? throw new SampleHostConfigurationException($"The CA file {path} holds no RSA or ECDSA private key for {ca.Subject}.");
        var certificate = X509CertificateLoader.LoadCertificate(ca.RawData);
        if (key is RSA rsa)
        {
            return new CaKey(certificate, rsa);
        }

        var encryption = loaded.FirstOrDefault(c => !IsCa(c) && c.HasPrivateKey && c.GetRSAPublicKey() is not null)
            ?? throw new SampleHostConfigurationException($"The CA file {path} holds an ECDSA CA but no RSA encryption certificate with its key.");
        return new CaKey(certificate, key, X509CertificateLoader.LoadCertificate(encryption.RawData), encryption.GetRSAPrivateKey());
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority);

    /// <summary>
    /// The certificates and keys of a PKCS#12 file of the data folder written with <see cref="KeyProtection"/> (a CA
    /// file, an RA file; the caller disposes them). What keeps it from loading is named in a
    /// <see cref="SampleHostConfigurationException"/>: the file unreadable, no PKCS#12 (then <paramref name="replacement"/>
    /// says how to get a new one), or a passphrase whose MAC does not verify.
    /// </summary>
    internal static X509Certificate2Collection LoadProtected(string path, string passphrase, string passphraseSource, string kind, string replacement)
    {
        byte[] pfx;
        try
        {
            pfx = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleHostConfigurationException($"The {kind} {path} cannot be read: {e.Message}", e);
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12Collection(pfx, passphrase, X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new SampleHostConfigurationException(WhyNotLoaded(path, pfx, passphrase, passphraseSource, kind, replacement, e), e);
        }
    }

    /// <summary>Tells a file that is no PKCS#12 from a passphrase that does not open it (its MAC does not verify).</summary>
    private static string WhyNotLoaded(string path, byte[] pfx, string passphrase, string passphraseSource, string kind, string replacement, CryptographicException exception)
    {
        Pkcs12Info info;
        try
        {
            info = Pkcs12Info.Decode(pfx, out _, skipCopy: true);
        }
        catch (CryptographicException)
        {
            return $"The {kind} {path} is not a PKCS#12 file: restore it from a backup, or {replacement}.";
        }

        return info.IntegrityMode == Pkcs12IntegrityMode.Password && !info.VerifyMac(passphrase)
            ? $"The {kind} {path} does not open with the passphrase of {passphraseSource}: set the right one (SampleHost:CaPassphrase or {PassphraseVariable})."
            : $"The {kind} {path} cannot be loaded: {exception.Message}";
    }

    private void CreateDataDirectory()
    {
        try
        {
            Directory.CreateDirectory(DataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleHostConfigurationException($"The data folder {DataDirectory} (SampleHost:DataDirectory) cannot be created: {e.Message}", e);
        }
    }

    /// <summary>
    /// The passphrase: configuration, else the environment variable, else the generated file (created once, and only
    /// while <paramref name="protectedFile"/>, the file it is for, does not exist yet).
    /// </summary>
    private Secret Passphrase(string protectedFile, bool createIfMissing)
    {
        if (!string.IsNullOrEmpty(_options.CaPassphrase))
        {
            return new Secret(_options.CaPassphrase, "SampleHost:CaPassphrase");
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(PassphraseVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return new Secret(fromEnvironment, PassphraseVariable);
        }

        var file = Path.Combine(DataDirectory, PassphraseFileName);
        if (!File.Exists(file))
        {
            if (!createIfMissing || File.Exists(protectedFile))
            {
                throw new SampleHostConfigurationException($"The CA passphrase is not set: {protectedFile} exists, {file} does not; configure SampleHost:CaPassphrase or {PassphraseVariable}.");
            }

            CaFiles.TryCreate(file, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
        }

        return new Secret(File.ReadAllText(file).Trim(), file);
    }

    /// <summary>A passphrase and where it came from (the setting or file named in messages; the value never is).</summary>
    private sealed record Secret(string Value, string Source)
    {
        public override string ToString() => Source;
    }
}
