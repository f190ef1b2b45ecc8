using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>Issues end-entity certificates and CRLs with a <see cref="CaKey"/>.</summary>
internal static class CertificateFactory
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// An end-entity certificate, as DER: keyUsage digitalSignature + keyEncipherment, EKU clientAuth, the requested
    /// subjectAltName, a random 16-byte serial. Returned with the fields the database records.
    /// </summary>
    public static IssuedDer Issue(CaKey ca, X500DistinguishedName subject, PublicKey publicKey, IEnumerable<X509Extension> requestedExtensions, TimeSpan validity, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthenticationOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        foreach (var requested in requestedExtensions.Where(e => e.Oid?.Value == SubjectAlternativeNameOid).Take(1))
        {
            request.CertificateExtensions.Add(requested);
        }

        var notAfter = now + validity < ca.Certificate.NotAfter ? now + validity : new DateTimeOffset(ca.Certificate.NotAfter);
        var notBefore = now.AddMinutes(-5);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01); // positive, and no leading zero byte to strip
        // DER, not CertificateRequest.Create: that loads the certificate it made, which costs as much as a quarter of
        // the RSA signature (OpenSSL 3.0 decodes the public key of every loaded certificate). The encoding keeps whole
        // seconds, so the recorded validity does too.
        var der = request.CreateEncoded(ca.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(ca.Key, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        return new IssuedDer(der, Convert.ToHexString(serial), subject.Name, TruncateToSeconds(notBefore), TruncateToSeconds(notAfter));
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>A CRL of <paramref name="ca"/> listing <paramref name="revoked"/>.</summary>
    public static byte[] BuildCrl(CaKey ca, IEnumerable<RevokedEntry> revoked, long number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            builder.AddEntry(Convert.FromHexString(entry.Serial), entry.RevokedAt, entry.Reason);
        }

        return builder.Build(
            ca.Certificate.SubjectName,
            X509SignatureGenerator.CreateForRSA(ca.Key, RSASignaturePadding.Pkcs1),
            new BigInteger(number),
            nextUpdate,
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            thisUpdate);
    }
}

/// <summary>An issued certificate's DER and the fields recorded with it (serial as upper-case hex, as <see cref="X509Certificate2.SerialNumber"/> gives it).</summary>
public sealed record IssuedDer(byte[] Der, string SerialNumber, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>One CRL entry.</summary>
public sealed record RevokedEntry(string Serial, DateTimeOffset RevokedAt, X509RevocationReason? Reason);
