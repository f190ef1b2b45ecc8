using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Scep.SampleHost;

/// <summary>
/// A certificate with its key from a PKCS#12 file named in a setting, its passphrase inline or in a file
/// (<see cref="SecretSetting"/>): the RA's certificate (<c>Upstream</c>), the CA's TLS client certificate (<c>ExternalRa</c>).
/// </summary>
internal static class Pkcs12Setting
{
    /// <exception cref="SampleHostConfigurationException">Not set, unreadable, not PKCS#12, a wrong passphrase, or no private key.</exception>
    public static X509Certificate2 Read(IConfigurationSection section, string name, string fileKey, string passphraseKey, string what)
    {
        var path = section[fileKey] ?? throw new SampleHostConfigurationException($"{name}:{fileKey} ({what}) is not set.");
        var passphrase = SecretSetting.Read(section, name, passphraseKey, passphraseKey + "File");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, passphrase, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new SampleHostConfigurationException($"{name}:{fileKey}: {path} cannot be opened (not PKCS#12, or a wrong passphrase).", e);
        }

        return certificate.HasPrivateKey ? certificate : throw new SampleHostConfigurationException($"{name}:{fileKey}: {path} holds no private key.");
    }
}
