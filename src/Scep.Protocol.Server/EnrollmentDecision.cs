using System;
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

/// <summary>An <see cref="IEnrollmentAuthority"/>'s decision. Made with <see cref="Issued"/>, <see cref="Pending"/> or <see cref="Rejected"/>.</summary>
public sealed class EnrollmentDecision
{
    private EnrollmentDecision(EnrollmentOutcome outcome)
    {
        Outcome = outcome;
    }

    /// <summary>Issued, pending or rejected.</summary>
    public EnrollmentOutcome Outcome { get; }

    /// <summary>The issued certificate.</summary>
    public X509Certificate2? Certificate { get; private init; }

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
        return new EnrollmentDecision(EnrollmentOutcome.Issued) { Certificate = certificate };
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
