using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// Pure renewal detection (RFC 8894 §2.5; EJBCA's rule): a request signed by a certificate that a given CA
/// issued is a renewal, whatever its messageType, and a self-signed signer means a first enrollment.
/// Validity and revocation of the old certificate are the caller's to check, with its own clock.
/// </summary>
public static class RenewalDetection
{
    /// <summary>Classifies the signer of a request.</summary>
    /// <param name="signerCertificate">The certificate that signed the pkiMessage.</param>
    /// <param name="requestedKey">The DER SubjectPublicKeyInfo of the PKCS#10 request.</param>
    /// <param name="caCertificates">The CA certificates whose issued certificates may renew: the current one and, after a rollover, the previous one.</param>
    /// <returns>The classification.</returns>
    public static EnrollmentClassification Classify(X509Certificate2 signerCertificate, ReadOnlySpan<byte> requestedKey, IEnumerable<X509Certificate2> caCertificates)
    {
        ArgumentNullException.ThrowIfNull(signerCertificate);
        ArgumentNullException.ThrowIfNull(caCertificates);
        return Classify(
            signerCertificate.RawDataMemory,
            signerCertificate.IssuerName.RawData,
            signerCertificate.SubjectName.RawData,
            CertificateFacts.SubjectPublicKeyInfo(signerCertificate).Span,
            requestedKey,
            caCertificates);
    }

    /// <summary>Classifies a verified request by its signer and its PKCS#10 request.</summary>
    /// <param name="request">The request pkiMessage; its signer certificate must be present.</param>
    /// <param name="certificationRequest">The decrypted PKCS#10 request.</param>
    /// <param name="caCertificates">The CA certificates whose issued certificates may renew.</param>
    /// <returns>The classification.</returns>
    public static EnrollmentClassification Classify(PkiMessage request, Pkcs10Request certificationRequest, IEnumerable<X509Certificate2> caCertificates)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(certificationRequest);
        ArgumentNullException.ThrowIfNull(caCertificates);
        var signer = request.SignerCertificateDer
            ?? throw new ArgumentException("The request carries no signer certificate.", nameof(request));

        // From the signer's DER: loading it into the platform would cost more than the rest of this check.
        return Classify(signer.Raw, signer.Issuer.Span, signer.Subject.Span, signer.SubjectPublicKeyInfo.Span, certificationRequest.SubjectPublicKeyInfo.Span, caCertificates);
    }

    private static EnrollmentClassification Classify(
        ReadOnlyMemory<byte> signer,
        ReadOnlySpan<byte> signerIssuer,
        ReadOnlySpan<byte> signerSubject,
        ReadOnlySpan<byte> signerKey,
        ReadOnlySpan<byte> requestedKey,
        IEnumerable<X509Certificate2> caCertificates)
    {
        var reusesKey = signerKey.SequenceEqual(requestedKey);
        foreach (var ca in caCertificates)
        {
            if (!ca.RawDataMemory.Span.SequenceEqual(signer.Span) && CertificateFacts.IsIssuedBy(signer, signerIssuer, ca))
            {
                return new EnrollmentClassification(EnrollmentKind.Renewal, ca, reusesKey);
            }
        }

        return CertificateFacts.NameEquals(signerIssuer, signerSubject) && Signatures.SignedStructureVerifies(signer, signerKey)
            ? new EnrollmentClassification(EnrollmentKind.InitialEnrollment, null, reusesKey)
            : new EnrollmentClassification(EnrollmentKind.UnknownSigner, null, reusesKey);
    }
}
