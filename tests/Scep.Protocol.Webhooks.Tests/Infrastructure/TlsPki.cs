using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Webhooks.Tests.Infrastructure;

/// <summary>A private CA for the receivers' TLS, valid around the real clock (TLS checks real time): a server certificate for 127.0.0.1 and a client certificate.</summary>
public static class TlsPki
{
    private static readonly Lazy<X509Certificate2> SharedCa = new(() => CreateCa("CN=Webhook Test TLS CA"));
    private static readonly Lazy<X509Certificate2> SharedServer = new(() => Issue(Ca, "CN=127.0.0.1", server: true));
    private static readonly Lazy<X509Certificate2> SharedClient = new(() => Issue(Ca, "CN=scep-server", server: false));

    public static X509Certificate2 Ca => SharedCa.Value;

    public static X509Certificate2 Server => SharedServer.Value;

    public static X509Certificate2 Client => SharedClient.Value;

    public static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    public static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2), serial);
        // Kestrel and SslStream want a certificate whose key they can use: export and load it as PKCS#12.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12, "t"), "t");
    }
}
