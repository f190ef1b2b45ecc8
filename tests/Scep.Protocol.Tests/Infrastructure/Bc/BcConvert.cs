using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcX509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Scep.Protocol.Tests.Infrastructure.Bc;

/// <summary>
/// The one place that converts between .NET and BouncyCastle certificate and key objects, so the
/// cross-implementation tests hand BouncyCastle the same PKI the codecs use (MimeKit's adapter idea).
/// </summary>
public static class BcConvert
{
    public static BcX509Certificate ToBc(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new BcX509Certificate(certificate.RawData);
    }

    public static X509Certificate2 ToDotNet(BcX509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
    }

    /// <summary>The private half of an RSA key (software keys only: the parameters are exported).</summary>
    public static AsymmetricKeyParameter ToBcPrivateKey(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => DotNetUtilities.GetRsaKeyPair(rsa).Private,
        _ => throw new ArgumentException("The BouncyCastle tests use RSA keys.", nameof(key)),
    };

    public static RsaKeyParameters ToBcPublicKey(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DotNetUtilities.GetRsaPublicKey(key);
    }

    public static RSA ToDotNet(RsaPrivateCrtKeyParameters key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var rsa = RSA.Create();
        rsa.ImportParameters(DotNetUtilities.ToRSAParameters(key));
        return rsa;
    }
}
