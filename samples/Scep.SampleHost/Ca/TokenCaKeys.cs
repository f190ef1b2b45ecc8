using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Pkcs11;

namespace Scep.SampleHost;

/// <summary>
/// The CA keys in a PKCS#11 token (<c>SampleHost:CaKey</c>, an RFC 7512 URI naming the key object): the current CA's key
/// is the URI's object, an ECDSA CA's encryption key that label with <c>-encryption</c>, and the next CA's keys the label
/// with <c>-next</c> (and <c>-next-encryption</c>). The certificates are public and live in the data folder
/// (<c>ca.pem</c>, <c>next-ca.pem</c>: the CA first, an encryption certificate after it); a token that holds the key and a
/// certificate object of the same label, and no <c>ca.pem</c> yet, provides the certificate. A missing CA is created in
/// the token (keys generated there, never extractable) with its certificates written to both.
/// </summary>
internal sealed class TokenCaKeys : IDisposable
{
    public const string CaFileName = "ca.pem";
    public const string NextCaFileName = "next-ca.pem";
    public const string PinVariable = "SCEP_PKCS11_PIN";

    private readonly SampleHostOptions _options;
    private readonly Pkcs11Uri _uri;
    private readonly string _label;
    private readonly System.Threading.Lock _lock = new();
    private Pkcs11Token? _token;

    public TokenCaKeys(SampleHostOptions options, string dataDirectory)
    {
        _options = options;
        try
        {
            _uri = Pkcs11Uri.Parse(options.CaKey!);
        }
        catch (FormatException e)
        {
            throw new SampleHostConfigurationException($"SampleHost:CaKey is not a PKCS#11 URI: {e.Message}", e);
        }

        _label = _uri.Object ?? throw new SampleHostConfigurationException($"SampleHost:CaKey {_uri} names no key object: add ;object=LABEL.");
        if (_uri.ModulePath is null)
        {
            throw new SampleHostConfigurationException($"SampleHost:CaKey {_uri} names no module: add ?module-path=/path/to/module.so.");
        }

        CaPath = Path.Combine(dataDirectory, CaFileName);
        NextCaPath = Path.Combine(dataDirectory, NextCaFileName);
    }

    public string CaPath { get; }

    public string NextCaPath { get; }

    /// <summary>The current CA, created in the token when neither <c>ca.pem</c> nor a key of that label exists.</summary>
    public CaKey LoadOrCreate(TimeProvider time, out bool created)
    {
        created = false;
        var token = Token();
        if (!File.Exists(CaPath))
        {
            if (Guard(() => token.FindKey(_uri.WithObject(_label))) is not null)
            {
                var certificate = Guard(() => token.FindCertificate(_uri.WithObject(_label)))
                    ?? throw new SampleHostConfigurationException($"The token holds the CA key '{_label}' but no certificate: put the CA certificate (PEM) in {CaPath}.");
                var encryption = Guard(() => token.FindCertificate(_uri.WithObject(_label + "-encryption")));
                CaFiles.TryCreate(CaPath, Pem(certificate, encryption));
            }
            else
            {
                created = Create(token, _label, CaPath, time);
            }
        }

        return Load(token, CaPath, _label);
    }

    public CaKey? LoadNext() => File.Exists(NextCaPath) ? Load(Token(), NextCaPath, _label + "-next") : null;

    public CaKey? CreateNext(TimeProvider time)
    {
        var token = Token();
        return File.Exists(NextCaPath) || !Create(token, _label + "-next", NextCaPath, time) ? null : Load(token, NextCaPath, _label + "-next");
    }

    public void Dispose() => _token?.Dispose();

    private Pkcs11Token Token()
    {
        lock (_lock)
        {
            if (_token is null)
            {
                var pin = Pkcs11Pin.FromUri(_uri)
                    ?? (Environment.GetEnvironmentVariable(PinVariable) is { Length: > 0 } ? Pkcs11Pin.FromEnvironment(PinVariable) : null)
                    ?? throw new SampleHostConfigurationException($"No PIN for the token of SampleHost:CaKey: add ?pin-source=file:/path to the URI, or set {PinVariable}.");
                _token = Guard(() => Pkcs11Token.Open(_uri, new Pkcs11TokenOptions { Pin = pin }));
            }

            return _token;
        }
    }

    /// <summary>Creates a CA's keys in the token and its certificates in <paramref name="path"/> (and in the token); false when another process wrote the file first.</summary>
    private bool Create(Pkcs11Token token, string label, string path, TimeProvider time)
    {
        if (Guard(() => token.FindKey(_uri.WithObject(label))) is not null)
        {
            throw new SampleHostConfigurationException($"The token holds a key '{label}' but {path} does not exist: restore the certificate there, or remove the key from the token.");
        }

        AsymmetricAlgorithm key = _options.CaKeyAlgorithm switch
        {
            CaKeyAlgorithm.EcdsaP256 => Guard(() => token.GenerateEcdsaKey(label, ECCurve.NamedCurves.nistP256)),
            CaKeyAlgorithm.EcdsaP384 => Guard(() => token.GenerateEcdsaKey(label, ECCurve.NamedCurves.nistP384)),
            _ => Guard(() => token.GenerateRsaKey(label, _options.CaKeySize)),
        };
        var ca = CaCertificateFactory.CreateCa(_options.CaSubject, key, time.GetUtcNow(), _options.CaValidityYears);
        X509Certificate2? encryption = null;
        if (key is not RSA)
        {
            var encryptionKey = Guard(() => token.GenerateRsaKey(label + "-encryption", _options.CaKeySize));
            encryption = CaCertificateFactory.CreateEncryptionCertificate(ca, key, encryptionKey);
            Guard(() => { token.StoreCertificate(label + "-encryption", encryption); return true; });
        }

        Guard(() => { token.StoreCertificate(label, ca); return true; });
        return CaFiles.TryCreate(path, Pem(ca, encryption));
    }

    private CaKey Load(Pkcs11Token token, string path, string label)
    {
        X509Certificate2Collection certificates = [];
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new SampleHostConfigurationException($"The CA certificate file {path} cannot be read: {e.Message}", e);
        }

        var ca = certificates.FirstOrDefault(c => c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            ?? throw new SampleHostConfigurationException($"{path} holds no CA certificate.");
        var key = Guard(() => token.GetKey(_uri.WithObject(label)));
        EnsureSameKey(ca, key, label, path);
        if (key is RSA rsa)
        {
            return new CaKey(ca, rsa);
        }

        var encryption = certificates.FirstOrDefault(c => c != ca && c.GetRSAPublicKey() is not null)
            ?? throw new SampleHostConfigurationException($"{path} holds an ECDSA CA but no RSA encryption certificate after it.");
        var encryptionKey = (RSA)Guard(() => token.GetKey(_uri.WithObject(label + "-encryption")));
        EnsureSameKey(encryption, encryptionKey, label + "-encryption", path);
        return new CaKey(ca, key, encryption, encryptionKey);
    }

    private static void EnsureSameKey(X509Certificate2 certificate, AsymmetricAlgorithm key, string label, string path)
    {
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new SampleHostConfigurationException($"The token's key '{label}' is not the key of {certificate.Subject} in {path}.");
        }
    }

    private static string Pem(X509Certificate2 ca, X509Certificate2? encryption) =>
        ca.ExportCertificatePem() + "\n" + (encryption is null ? string.Empty : encryption.ExportCertificatePem() + "\n");

    /// <summary>A token that cannot be used is the operator's to fix: its one-line reason (never the PIN).</summary>
    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Pkcs11KeyException e)
        {
            throw new SampleHostConfigurationException($"SampleHost:CaKey: {e.Message}", e);
        }
    }
}
