using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// The GetCACert reply (RFC 8894 §4.2): one DER CA certificate, or a certificates-only SignedData with CA
/// and RA (or intermediate) certificates; and the rule that picks which certificate encrypts requests
/// and which verifies replies, by basicConstraints and keyUsage rather than by position.
/// </summary>
public sealed class CaCertificates
{
    private CaCertificates(IReadOnlyList<X509Certificate2> certificates, ReadOnlyMemory<byte> encoded, string contentType)
    {
        Certificates = certificates;
        RawData = encoded;
        ContentType = contentType;
        IssuerCertificate = PickIssuer(certificates);
        EncryptionCertificate = Pick(certificates, IssuerCertificate, X509KeyUsageFlags.KeyEncipherment, X509KeyUsageFlags.DataEncipherment);
        SigningCertificate = Pick(certificates, IssuerCertificate, X509KeyUsageFlags.DigitalSignature, null);
    }

    /// <summary>All certificates, in the order of the encoding.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>The reply body.</summary>
    public ReadOnlyMemory<byte> RawData { get; }

    /// <summary><see cref="ScepContentTypes.CaCertificate"/> for a single certificate, else <see cref="ScepContentTypes.CaRaCertificates"/>.</summary>
    public string ContentType { get; }

    /// <summary>The CA that issues client certificates: the CA certificate that no other CA certificate in the set was issued by, or the only certificate.</summary>
    public X509Certificate2 IssuerCertificate { get; }

    /// <summary>
    /// The certificate requests are encrypted to: a non-CA (RA) certificate with keyEncipherment, else one with
    /// dataEncipherment, else the issuing CA (RFC 8894 §2.2; jscep's and the drafts' order).
    /// </summary>
    public X509Certificate2 EncryptionCertificate { get; }

    /// <summary>The certificate that signs CertRep replies: a non-CA (RA) certificate with digitalSignature, else the issuing CA.</summary>
    public X509Certificate2 SigningCertificate { get; }

    /// <summary>Whether an RA certificate separate from the CA is present.</summary>
    public bool HasRegistrationAuthority => Certificates.Any(c => !CertificateFacts.IsCertificateAuthority(c));

    /// <summary>
    /// Whether one of these certificates signed <paramref name="certificate"/>, directly or through an issuing
    /// intermediate among <paramref name="carried"/> (the other certificates of a CertRep) that one of them signed.
    /// Signatures only: validity and revocation are the caller's to judge.
    /// </summary>
    /// <param name="certificate">The issued certificate.</param>
    /// <param name="carried">Certificates delivered with it; <paramref name="certificate"/> itself among them is skipped.</param>
    /// <returns>True when a signature chain leads to one of <see cref="Certificates"/>.</returns>
    public bool HaveIssued(X509Certificate2 certificate, IEnumerable<X509Certificate2>? carried = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Certificates.Any(ca => CertificateFacts.IsIssuedBy(certificate, ca))
            || (carried ?? []).Any(intermediate => !ReferenceEquals(intermediate, certificate)
                && CertificateFacts.IsIssuedBy(certificate, intermediate)
                && Certificates.Any(ca => CertificateFacts.IsIssuedBy(intermediate, ca)));
    }

    /// <summary>Builds the reply: a DER certificate when there is one, else a certificates-only SignedData in the given order (put RA certificates first: some clients take the first).</summary>
    /// <param name="certificates">The CA certificate and any RA or intermediate certificates.</param>
    /// <returns>The reply.</returns>
    public static CaCertificates Create(IEnumerable<X509Certificate2> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var list = certificates.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("GetCACert needs at least one certificate.", nameof(certificates));
        }

        return list.Count == 1
            ? new CaCertificates(list.AsReadOnly(), list[0].RawData, ScepContentTypes.CaCertificate)
            : new CaCertificates(list.AsReadOnly(), DegenerateCertificateSet.Create(list).RawData, ScepContentTypes.CaRaCertificates);
    }

    /// <summary>Decodes a GetCACert reply body: a DER certificate or a certificates-only SignedData (the Content-Type is not needed).</summary>
    /// <param name="encoded">The body.</param>
    /// <returns>The certificates.</returns>
    /// <exception cref="ScepException"><see cref="ScepError.Malformed"/>.</exception>
    public static CaCertificates Decode(ReadOnlyMemory<byte> encoded)
    {
        var copy = encoded.ToArray();
        bool isContentInfo;
        try
        {
            var reader = new AsnReader(copy, AsnEncodingRules.BER);
            var outer = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            isContentInfo = outer.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier);
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.Malformed, "The GetCACert reply is neither a certificate nor a PKCS#7: " + e.Message, e);
        }

        if (!isContentInfo)
        {
            return new CaCertificates([CertificateFacts.Load(copy)], copy, ScepContentTypes.CaCertificate);
        }

        DegenerateCertificateSet set;
        try
        {
            set = DegenerateCertificateSet.Decode(copy);
        }
        catch (ScepException e) when (e.Reason == ScepError.MalformedContent)
        {
            // That decoder speaks for CertRep content; here the whole body is bad.
            throw new ScepException(ScepError.Malformed, "The GetCACert reply is not a certificates-only PKCS#7: " + e.Message, e);
        }

        if (set.Certificates.Count == 0)
        {
            throw new ScepException(ScepError.Malformed, "The GetCACert reply holds no certificates.");
        }

        return new CaCertificates(set.Certificates, copy, ScepContentTypes.CaRaCertificates);
    }

    private static X509Certificate2 PickIssuer(IReadOnlyList<X509Certificate2> certificates)
    {
        var authorities = certificates.Where(CertificateFacts.IsCertificateAuthority).ToList();
        if (authorities.Count == 0)
        {
            return certificates[0];
        }

        // The issuing CA of the RA certificates, when there are RAs.
        foreach (var ra in certificates.Where(c => !CertificateFacts.IsCertificateAuthority(c)))
        {
            var issuer = authorities.FirstOrDefault(ca => CertificateFacts.NameEquals(ra.IssuerName.RawData, ca.SubjectName.RawData));
            if (issuer is not null)
            {
                return issuer;
            }
        }

        // Otherwise the bottom of the chain: the CA that issued no other CA in the set.
        return authorities.FirstOrDefault(ca => !authorities.Any(other =>
                   !ReferenceEquals(other, ca)
                   && CertificateFacts.NameEquals(other.IssuerName.RawData, ca.SubjectName.RawData)
                   && !CertificateFacts.NameEquals(other.SubjectName.RawData, other.IssuerName.RawData)))
            ?? authorities[0];
    }

    private static X509Certificate2 Pick(IReadOnlyList<X509Certificate2> certificates, X509Certificate2 issuer, X509KeyUsageFlags first, X509KeyUsageFlags? second)
    {
        var ras = certificates.Where(c => !CertificateFacts.IsCertificateAuthority(c)).ToList();
        var byFirst = ras.FirstOrDefault(c => CertificateFacts.HasExplicitUsage(c, first))
            ?? (second is { } s ? ras.FirstOrDefault(c => CertificateFacts.HasExplicitUsage(c, s)) : null)
            ?? ras.FirstOrDefault(c => CertificateFacts.KeyUsage(c) is null);
        return byFirst ?? issuer;
    }

    /// <summary>A copy of the reply body.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode() => RawData.ToArray();
}
