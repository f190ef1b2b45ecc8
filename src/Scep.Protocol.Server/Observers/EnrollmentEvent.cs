using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>What an <see cref="EnrollmentEvent"/> reports.</summary>
public enum EnrollmentEventKind
{
    /// <summary>A certificate was issued and recorded (including one an approval issued, delivered at a poll).</summary>
    Issued = 1,

    /// <summary>A request was refused with a signed FAILURE (<see cref="EnrollmentEvent.Refusal"/> says why).</summary>
    Refused,

    /// <summary>A request was left pending (the authority's approval or a validator's decision).</summary>
    Pending,

    /// <summary>A CertPoll was answered (<see cref="EnrollmentEvent.PollStatus"/> says with what).</summary>
    Polled,

    /// <summary>A certificate was revoked (the host publishes this through <see cref="EnrollmentObservers.NotifyAsync"/>).</summary>
    Revoked,
}

/// <summary>One thing that happened to an enrollment, as <see cref="IEnrollmentObserver"/>s hear it. Immutable.</summary>
public sealed class EnrollmentEvent
{
    private readonly Lazy<X509Certificate2?> _certificate;

    /// <summary>Creates an event; the pipeline makes them, and a host makes <see cref="EnrollmentEventKind.Revoked"/> ones.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="alias">The alias (for a revocation: the alias the certificate was issued through, or empty).</param>
    /// <param name="caName">The CA name.</param>
    /// <param name="occurredAt">When.</param>
    /// <param name="certificate">The certificate's DER, for Issued and Revoked; empty otherwise.</param>
    public EnrollmentEvent(EnrollmentEventKind kind, string alias, string caName, DateTimeOffset occurredAt, ReadOnlyMemory<byte> certificate = default)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(caName);
        Kind = kind;
        Alias = alias;
        CaName = caName;
        OccurredAt = occurredAt;
        var der = certificate.ToArray();
        CertificateRawData = der;
        _certificate = new Lazy<X509Certificate2?>(() => der.Length == 0 ? null : X509CertificateLoader.LoadCertificate(der));
    }

    /// <summary>What happened.</summary>
    public EnrollmentEventKind Kind { get; }

    /// <summary>The alias.</summary>
    public string Alias { get; }

    /// <summary>The alias's CA name.</summary>
    public string CaName { get; }

    /// <summary>When it happened (the server's clock).</summary>
    public DateTimeOffset OccurredAt { get; }

    /// <summary>The transactionID of the enrollment, when it came from a SCEP request.</summary>
    public string? TransactionId { get; init; }

    /// <summary>The messageType of the request (PKCSReq, RenewalReq, UpdateReq, CertPoll).</summary>
    public MessageType? MessageType { get; init; }

    /// <summary>The end entity's username, when known.</summary>
    public string? Username { get; init; }

    /// <summary>The PKCS#10 request, when the event is about one (Intune's notifications carry it back).</summary>
    public Pkcs10Request? CertificationRequest { get; init; }

    /// <summary>The certificate's DER, for <see cref="EnrollmentEventKind.Issued"/> and <see cref="EnrollmentEventKind.Revoked"/>; empty otherwise.</summary>
    public ReadOnlyMemory<byte> CertificateRawData { get; }

    /// <summary>The certificate, loaded on first access; null when <see cref="CertificateRawData"/> is empty.</summary>
    public X509Certificate2? Certificate => _certificate.Value;

    /// <summary>For <see cref="EnrollmentEventKind.Refused"/>: the failInfo, reason and category.</summary>
    public ScepRefusal? Refusal { get; init; }

    /// <summary>For <see cref="EnrollmentEventKind.Polled"/>: the status the poll was answered with.</summary>
    public PkiStatus? PollStatus { get; init; }

    /// <summary>For <see cref="EnrollmentEventKind.Pending"/>: what the request waits for.</summary>
    public ScepPendingKind? PendingKind { get; init; }

    /// <summary>For <see cref="EnrollmentEventKind.Revoked"/>: the reason, when one was given.</summary>
    public X509RevocationReason? RevocationReason { get; init; }
}
