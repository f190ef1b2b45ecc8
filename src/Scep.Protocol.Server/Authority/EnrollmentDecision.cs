using System;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>The three answers an <see cref="IEnrollmentAuthority"/> gives.</summary>
public enum EnrollmentOutcome
{
    /// <summary>A certificate was issued.</summary>
    Issued = 1,

    /// <summary>The request awaits approval.</summary>
    Pending,

    /// <summary>The request was refused.</summary>
    Rejected,
}

/// <summary>An <see cref="IEnrollmentAuthority"/>'s decision. Made with <see cref="Issued(X509Certificate2)"/> (or from DER), <see cref="Pending"/> or <see cref="Rejected"/>.</summary>
public sealed class EnrollmentDecision
{
    private EnrollmentDecision(EnrollmentOutcome outcome)
    {
        Outcome = outcome;
    }

    /// <summary>Issued, pending or rejected.</summary>
    public EnrollmentOutcome Outcome { get; }

    /// <summary>The issued certificate; when the decision was made from DER, loaded on first access.</summary>
    public X509Certificate2? Certificate => LoadedCertificate?.Value;

    /// <summary>The issued certificate's DER encoding; empty unless <see cref="Outcome"/> is <see cref="EnrollmentOutcome.Issued"/>. The pipeline works with this and never loads the certificate.</summary>
    public ReadOnlyMemory<byte> CertificateRawData { get; private init; }

    private Lazy<X509Certificate2>? LoadedCertificate { get; init; }

    /// <summary>The authority's reference for a pending request; CertPoll passes it back.</summary>
    public string? PendingReference { get; private init; }

    /// <summary>Why a request was rejected, as failInfo.</summary>
    public FailInfo? FailInfo { get; private init; }

    /// <summary>Why, in words; sent to the client as failInfoText, so never put secrets here.</summary>
    public string? Reason { get; private init; }

    /// <summary>A certificate was issued.</summary>
    /// <param name="certificate">The issued certificate.</param>
    /// <returns>The decision.</returns>
    public static EnrollmentDecision Issued(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new EnrollmentDecision(EnrollmentOutcome.Issued) { CertificateRawData = certificate.RawDataMemory, LoadedCertificate = new Lazy<X509Certificate2>(certificate) };
    }

    /// <summary>
    /// A certificate was issued, given as DER: the pipeline records and delivers these bytes without loading them
    /// into the platform, which on OpenSSL 3.0 costs about a quarter of an RSA-2048 signature
    /// (<see cref="CertificateRequestExtensions.CreateEncoded"/> issues that way).
    /// </summary>
    /// <param name="certificate">The DER-encoded certificate.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The bytes are not one DER SEQUENCE.</exception>
    public static EnrollmentDecision Issued(ReadOnlyMemory<byte> certificate)
    {
        try
        {
            var reader = new AsnReader(certificate, AsnEncodingRules.DER);
            reader.ReadSequence();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException e)
        {
            throw new ArgumentException("The certificate is not a DER-encoded certificate: " + e.Message, nameof(certificate), e);
        }

        var copy = certificate.ToArray();
        return new EnrollmentDecision(EnrollmentOutcome.Issued)
        {
            CertificateRawData = copy,
            LoadedCertificate = new Lazy<X509Certificate2>(() => X509CertificateLoader.LoadCertificate(copy)),
        };
    }

    /// <summary>The request awaits approval.</summary>
    /// <param name="reference">The authority's own identifier of the request, used when the client polls.</param>
    /// <returns>The decision.</returns>
    public static EnrollmentDecision Pending(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        return new EnrollmentDecision(EnrollmentOutcome.Pending) { PendingReference = reference };
    }

    /// <summary>The request was refused.</summary>
    /// <param name="failInfo">The failInfo (badRequest for policy refusals).</param>
    /// <param name="reason">A reason safe to show the client.</param>
    /// <returns>The decision.</returns>
    public static EnrollmentDecision Rejected(FailInfo failInfo, string reason) =>
        new(EnrollmentOutcome.Rejected) { FailInfo = failInfo, Reason = reason };
}
