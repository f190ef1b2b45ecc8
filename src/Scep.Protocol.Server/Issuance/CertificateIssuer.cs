using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>
/// Issues end-entity certificates and CRLs with a CA certificate and its key (RSA or ECDsa, software or HSM), by a
/// <see cref="CertificateProfile"/>, so that a host writes no X.509 code. The signature algorithm follows the key: RSA
/// with PKCS#1 v1.5 (or PSS), ECDSA for an EC key. Certificates are returned as DER without being loaded (on OpenSSL
/// 3.0 a load costs about a quarter of an RSA-2048 signature). Thread-safe.
/// </summary>
public sealed class CertificateIssuer
{
    private readonly X509SignatureGenerator _generator;
    private readonly X509AuthorityKeyIdentifierExtension _authorityKeyIdentifier;

    /// <summary>Creates an issuer.</summary>
    /// <param name="caCertificate">The CA certificate (its subject is the issuer name; its end caps validity).</param>
    /// <param name="caKey">Its private key: an <see cref="RSA"/> or <see cref="ECDsa"/>.</param>
    /// <param name="profile">What certificates look like.</param>
    /// <exception cref="ArgumentException">The key is neither RSA nor ECDsa, or the profile is not usable.</exception>
    public CertificateIssuer(X509Certificate2 caCertificate, AsymmetricAlgorithm caKey, CertificateProfile profile)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        ArgumentNullException.ThrowIfNull(profile);
        if (CertificateProfileRules.Check(profile) is { } problem)
        {
            throw new ArgumentException(problem, nameof(profile));
        }

        CaCertificate = caCertificate;
        Profile = profile;
        _generator = caKey switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, profile.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
            _ => throw new ArgumentException($"A CA key must be RSA or ECDsa, not {caKey.GetType().Name}.", nameof(caKey)),
        };
        _authorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCertificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
    }

    /// <summary>The CA certificate.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The profile.</summary>
    public CertificateProfile Profile { get; }

    /// <summary>The subject a certificate for <paramref name="request"/> gets: the end entity's DN or the request's subject, as the profile says.</summary>
    /// <param name="request">The PKCS#10 request.</param>
    /// <param name="endEntityDn">The end entity's registered DN; null for none.</param>
    /// <returns>The subject.</returns>
    public X500DistinguishedName SubjectFor(Pkcs10Request request, string? endEntityDn)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Profile.Subject == CertificateSubjectSource.EndEntityOrRequest && !string.IsNullOrEmpty(endEntityDn)
            ? new X500DistinguishedName(endEntityDn)
            : SubjectNames.Keep(request.Subject, Profile.SubjectAttributes);
    }

    /// <summary>Issues a certificate for a request whose proof of possession the caller has verified.</summary>
    /// <param name="request">The PKCS#10 request: its key, subjectAltName and unstructuredName are used as the profile says.</param>
    /// <param name="subject">The subject (<see cref="SubjectFor"/>).</param>
    /// <param name="now">The time of issue.</param>
    /// <returns>The certificate.</returns>
    public IssuedCertificate Issue(Pkcs10Request request, X500DistinguishedName subject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(subject);
        var publicKey = request.PublicKey;
        var certificate = new CertificateRequest(subject, publicKey, Profile.SignatureDigest.ToHashAlgorithmName());
        var extensions = certificate.CertificateExtensions;
        extensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        extensions.Add(new X509KeyUsageExtension(Profile.KeyUsage, true));
        if (Profile.EffectiveExtendedKeyUsages is { Count: > 0 } usages)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            extensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        extensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        extensions.Add(_authorityKeyIdentifier);
        if (SubjectNames.AlternativeNames(request, subject, Profile) is { } alternativeNames)
        {
            extensions.Add(alternativeNames);
        }

        if (Profile.CrlDistributionPoints.Count > 0)
        {
            extensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(Profile.CrlDistributionPoints));
        }

        var notBefore = Seconds(now - Profile.NotBeforeSkew);
        var caEnd = new DateTimeOffset(CaCertificate.NotAfter.ToUniversalTime());
        var notAfter = Seconds(now + Profile.Validity < caEnd ? now + Profile.Validity : caEnd);
        var serial = SerialNumber(Profile.SerialNumberLength);
        var der = certificate.CreateEncoded(CaCertificate.SubjectName, _generator, notBefore, notAfter, serial);
        return new IssuedCertificate(der, Convert.ToHexString(serial), subject.Name, notBefore, notAfter);
    }

    /// <summary>A CRL of this CA (RFC 5280 §5) listing <paramref name="revoked"/>, with the authority key identifier and a CRL number.</summary>
    /// <param name="revoked">The revoked certificates of this CA.</param>
    /// <param name="number">The CRL number: monotonic, never reused.</param>
    /// <param name="thisUpdate">thisUpdate.</param>
    /// <param name="nextUpdate">nextUpdate.</param>
    /// <returns>The DER-encoded CRL.</returns>
    public byte[] CreateCrl(IEnumerable<RevokedCertificate> revoked, long number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            builder.AddEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt, entry.Reason);
        }

        return builder.Build(CaCertificate.SubjectName, _generator, new BigInteger(number), nextUpdate, Profile.SignatureDigest.ToHashAlgorithmName(), _authorityKeyIdentifier, thisUpdate);
    }

    /// <summary>A random serial number of <paramref name="length"/> bytes: positive, with no leading zero byte to strip.</summary>
    private static byte[] SerialNumber(int length)
    {
        var serial = RandomNumberGenerator.GetBytes(length);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    /// <summary>DER times are whole seconds; recording the same value keeps the store equal to the certificate.</summary>
    private static DateTimeOffset Seconds(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}

/// <summary>The checks of a <see cref="CertificateProfile"/>, for the issuer and the options validator alike.</summary>
internal static class CertificateProfileRules
{
    /// <summary>What is wrong with the profile, or null.</summary>
    public static string? Check(CertificateProfile profile)
    {
        if (profile.Validity <= TimeSpan.Zero)
        {
            return "Validity must be positive.";
        }

        if (profile.NotBeforeSkew < TimeSpan.Zero || profile.NotBeforeSkew > TimeSpan.FromDays(1))
        {
            return "NotBeforeSkew must be between 0 and 1 day.";
        }

        if (profile.SerialNumberLength is < 9 or > 20)
        {
            return "SerialNumberLength must be between 9 bytes (64 random bits) and 20 bytes (RFC 5280).";
        }

        if (profile.SignatureDigest is not (ScepDigest.Sha256 or ScepDigest.Sha384 or ScepDigest.Sha512))
        {
            return "SignatureDigest must be Sha256, Sha384 or Sha512.";
        }

        if (profile.ExtendedKeyUsages.Any(oid => !SubjectNames.IsOid(oid)))
        {
            return "ExtendedKeyUsages must be OIDs (1.3.6.1.5.5.7.3.2 is clientAuth).";
        }

        if (profile.SubjectAttributes.Any(a => SubjectNames.AttributeOid(a) is null))
        {
            return $"SubjectAttributes may name {string.Join(", ", SubjectNames.KnownAttributes)} or OIDs.";
        }

        if (profile.CrlDistributionPoints.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out _)))
        {
            return "CrlDistributionPoints must be absolute URIs.";
        }

        return null;
    }
}
