using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>An authenticated enrollment request, as the pipeline hands it to <see cref="IEnrollmentAuthority.EnrollAsync"/>.</summary>
public sealed class EnrollmentContext
{
    /// <summary>The alias the request came through.</summary>
    public required string Alias { get; init; }

    /// <summary>The alias's mode.</summary>
    public required ScepOperationMode Mode { get; init; }

    /// <summary>The alias's CA name.</summary>
    public required string CaName { get; init; }

    /// <summary>The CA certificate to issue with: the current one, or the next one when the client enveloped its request to the next CA (rollover).</summary>
    public required X509Certificate2 IssuingCaCertificate { get; init; }

    /// <summary>Whether the request was addressed to the next CA certificate (RFC 8894 §2.2 rollover).</summary>
    public bool IsForNextCa { get; init; }

    /// <summary>The PKCS#10 request; its proof of possession has been verified.</summary>
    public required Pkcs10Request CertificationRequest { get; init; }

    /// <summary>The pkiMessage; its signature has been verified.</summary>
    public required PkiMessage Request { get; init; }

    /// <summary>Initial enrollment or renewal.</summary>
    public required EnrollmentKind Kind { get; init; }

    /// <summary>For a renewal, the certificate being renewed (the request's signer).</summary>
    public X509Certificate2? RenewedCertificate { get; init; }

    /// <summary>The end entity (in CA mode reserved for this request; in RA mode created or updated from it).</summary>
    public EndEntity? EndEntity { get; init; }

    /// <summary>The transactionID.</summary>
    public string TransactionId => Request.TransactionId;

    /// <summary>When the server received the request.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>A request the authority left pending, as a CertPoll or a re-sent request asks about it.</summary>
public sealed class PendingEnrollment
{
    /// <summary>The alias.</summary>
    public required string Alias { get; init; }

    /// <summary>The alias's CA name.</summary>
    public required string CaName { get; init; }

    /// <summary>The transactionID of the original request.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The reference the authority returned with <see cref="EnrollmentDecision.Pending"/>.</summary>
    public required string Reference { get; init; }
}
