using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.SampleHost;

/// <summary>
/// The RA certificate of a CA (<c>SampleHost:RaCertificate=File</c>) in a passphrase-protected PKCS#12 beside it:
/// issued by the CA the first time the CA is loaded with the setting on (<c>ra.p12</c> for the current CA,
/// <c>next-ra.p12</c> for the next), loaded afterwards. A file the CA did not issue is refused at start.
/// </summary>
internal static class RaCertificateFile
{
    /// <summary>The CA with its RA certificate from <paramref name="path"/>, which is issued and written first if it is missing.</summary>
    public static CaKey Attach(CaKey ca, string path, string passphrase, string passphraseSource, int keySize)
    {
        if (!File.Exists(path))
        {
            Issue(ca, path, passphrase, keySize);
        }

        return ca with { Ra = Load(ca, path, passphrase, passphraseSource) };
    }

    private static void Issue(CaKey ca, string path, string passphrase, int keySize)
    {
        using var key = RSA.Create(keySize);
        X509Certificate2 certificate;
        try
        {
            certificate = CaCertificateFactory.CreateRaCertificate(ca.Certificate, ca.Key, key);
        }
        catch (CryptographicException e)
        {
            // A token CA key that cannot sign now (Pkcs11KeyException names the token, never the PIN).
            throw new SampleHostConfigurationException($"The RA certificate for {path} cannot be issued by the CA {ca.Certificate.Subject}: {e.Message}", e);
        }

        using (certificate)
        using (var withKey = certificate.CopyWithPrivateKey(key))
        {
            // Another process may write it at the same moment: then both load the one that won.
            CaFiles.TryCreate(path, new X509Certificate2Collection(withKey).ExportPkcs12(CaBootstrap.KeyProtection, passphrase));
        }
    }

    private static RaKey Load(CaKey ca, string path, string passphrase, string passphraseSource)
    {
        var loaded = CaBootstrap.LoadProtected(path, passphrase, passphraseSource, "RA file", "move it away to have a new RA certificate issued");
        try
        {
            var ra = loaded.FirstOrDefault(c => c.HasPrivateKey && c.GetRSAPublicKey() is not null)
                ?? throw new SampleHostConfigurationException($"The RA file {path} holds no RSA certificate with its key.");
            if (!IssuedBy(ra, ca.Certificate))
            {
                throw new SampleHostConfigurationException(
                    $"The RA certificate in {path} ({ra.Subject}) was not issued by the CA {ca.Certificate.Subject}: move the file away to have a new one issued.");
            }

            return new RaKey(X509CertificateLoader.LoadCertificate(ra.RawData), ra.GetRSAPrivateKey()!);
        }
        finally
        {
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Whether the CA's key signed <paramref name="ra"/>: a chain to the CA as the only trust anchor.</summary>
    private static bool IssuedBy(X509Certificate2 ra, X509Certificate2 ca)
    {
        if (!ra.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(ra) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData);
    }
}
