using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>Where an issued certificate's subject comes from.</summary>
public enum CertificateSubjectSource
{
    /// <summary>The end entity's registered DN when it has one (CA mode, EJBCA's end entity DN), else the request's subject.</summary>
    EndEntityOrRequest = 1,

    /// <summary>Always the request's subject.</summary>
    Request,
}

/// <summary>The kinds of subjectAltName a profile copies from the request (RFC 5280 §4.2.1.6).</summary>
[Flags]
public enum SubjectAlternativeNameKinds
{
    /// <summary>None: the request's subjectAltName is dropped.</summary>
    None = 0,

    /// <summary>dNSName.</summary>
    Dns = 1,

    /// <summary>iPAddress.</summary>
    IpAddress = 2,

    /// <summary>rfc822Name.</summary>
    Email = 4,

    /// <summary>uniformResourceIdentifier.</summary>
    Uri = 8,

    /// <summary>The Microsoft user principal name (an otherName, 1.3.6.1.4.1.311.20.2.3).</summary>
    UserPrincipalName = 16,

    /// <summary>All of the above.</summary>
    All = Dns | IpAddress | Email | Uri | UserPrincipalName,
}

/// <summary>
/// What an issued certificate looks like (EJBCA's certificate and end entity profiles, reduced to what SCEP devices
/// need): validity, key usage, extended key usages, which parts of the request's subject and subjectAltName are
/// copied, the serial number's length, the signature. Bindable from configuration; <see cref="IssuingAuthorityOptions"/>
/// holds one per alias.
/// </summary>
public sealed class CertificateProfile
{
    /// <summary>How long certificates are valid, capped at the CA certificate's own end. Default: 365 days.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How far before the time of issue notBefore lies, for clients whose clock is behind. Default: 5 minutes.</summary>
    public TimeSpan NotBeforeSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The keyUsage extension (critical). Default: digitalSignature and keyEncipherment, which SCEP clients need to sign and decrypt.</summary>
    public X509KeyUsageFlags KeyUsage { get; set; } = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;

    /// <summary>
    /// The extendedKeyUsage OIDs. Empty means the default, clientAuth (1.3.6.1.5.5.7.3.2); listing OIDs replaces it
    /// (configuration binding appends to lists, so the default is not pre-filled). See <see cref="OmitExtendedKeyUsage"/>.
    /// </summary>
    public IList<string> ExtendedKeyUsages { get; } = new List<string>();

    /// <summary>Issue without an extendedKeyUsage extension at all. Default: false.</summary>
    public bool OmitExtendedKeyUsage { get; set; }

    /// <summary>Where the subject comes from. Default: <see cref="CertificateSubjectSource.EndEntityOrRequest"/>.</summary>
    public CertificateSubjectSource Subject { get; set; } = CertificateSubjectSource.EndEntityOrRequest;

    /// <summary>
    /// The subject attributes kept from the request's subject, by short name (CN, O, OU, C, L, ST, E, DC,
    /// SERIALNUMBER, unstructuredName, unstructuredAddress) or OID; the others are dropped, the order and encoding of
    /// the kept ones is the request's. Empty keeps the whole subject. Not applied to a registered end entity DN.
    /// </summary>
    public IList<string> SubjectAttributes { get; } = new List<string>();

    /// <summary>The subjectAltName kinds copied from the request. Default: dNSName, iPAddress, rfc822Name and URI.</summary>
    public SubjectAlternativeNameKinds CopiedSubjectAlternativeNames { get; set; } =
        SubjectAlternativeNameKinds.Dns | SubjectAlternativeNameKinds.IpAddress | SubjectAlternativeNameKinds.Email | SubjectAlternativeNameKinds.Uri;

    /// <summary>
    /// EJBCA's rule for Cisco PIX: a dNSName subjectAltName equal to the subject's (or the request's) unstructuredName,
    /// which the Cisco VPN clients need to connect to the PIX. Default: false.
    /// </summary>
    public bool DnsNameFromUnstructuredName { get; set; }

    /// <summary>The serial number's length in bytes, random but for a positive first byte: 16 gives 126 random bits. From 9 (at least 64 random bits, CA/Browser Forum) to 20 (RFC 5280 §4.1.2.2). Default: 16.</summary>
    public int SerialNumberLength { get; set; } = 16;

    /// <summary>The digest of the certificate's signature. Default: SHA-256.</summary>
    public ScepDigest SignatureDigest { get; set; } = ScepDigest.Sha256;

    /// <summary>With an RSA CA key: sign with RSASSA-PSS instead of PKCS#1 v1.5 (some old devices cannot verify PSS). Default: false.</summary>
    public bool RsaPss { get; set; }

    /// <summary>CRL distribution point URIs put in every certificate (RFC 5280 §4.2.1.13). Default: none.</summary>
    public IList<string> CrlDistributionPoints { get; } = new List<string>();

    /// <summary>The extendedKeyUsage OIDs in force (<see cref="ExtendedKeyUsages"/>, or clientAuth when it is empty); empty when <see cref="OmitExtendedKeyUsage"/>.</summary>
    public IReadOnlyList<string> EffectiveExtendedKeyUsages =>
        OmitExtendedKeyUsage ? [] : ExtendedKeyUsages.Count == 0 ? ["1.3.6.1.5.5.7.3.2"] : [.. ExtendedKeyUsages];
}
