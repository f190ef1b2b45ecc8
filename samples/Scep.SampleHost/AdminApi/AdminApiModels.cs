using System;
using System.Security.Cryptography;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Storage;

namespace Scep.SampleHost.AdminApi;

/// <summary>An end entity as the API shows it: never its code or the code's hash.</summary>
public sealed record EntityView(string Username, string Status, string? SubjectDn, string? Alias, int FailedCodeAttempts, DateTimeOffset? CodeExpiresAt, DateTimeOffset StatusChangedAt)
{
    public static EntityView Of(EndEntity e) => new(e.Username, e.Status.ToString(), e.SubjectDn, e.Alias, e.FailedCodeAttempts, e.EnrollmentCodeExpiresAt, e.StatusChangedAt);
}

/// <summary>A new end entity: its username (the CN its device's request carries), optional subject and alias, and how long its code works (<c>90m</c>, <c>24h</c>, <c>7d</c>; default: until used).</summary>
public sealed record CreateEntityRequest(string Username, string? SubjectDn = null, string? Alias = null, string? CodeValidFor = null);

/// <summary>An end entity with the one-time code it was given: shown in this answer only.</summary>
public sealed record EntityWithCode(EntityView Entity, string? EnrollmentCode);

/// <summary>A reset: status NEW, lockout lifted; <see cref="NewCode"/> generates a new one-time code.</summary>
public sealed record ResetEntityRequest(bool NewCode = false, string? CodeValidFor = null);

/// <summary>A request held for approval.</summary>
public sealed record PendingView(string Id, string Alias, string? Username, string Subject, string TransactionId, DateTimeOffset RequestedAt, string State)
{
    public static PendingView Of(PendingApproval p) => new(p.Id, p.Alias, p.Username, p.Subject, p.TransactionId, p.RequestedAt, p.State.ToString());
}

/// <summary>A rejection's reason, which the device gets as failInfoText.</summary>
public sealed record RejectRequest(string? Reason = null);

/// <summary>An issued certificate; <see cref="Pem"/> only when one certificate is asked for.</summary>
public sealed record CertificateView(
    string SerialNumber, string Subject, string? Username, string? Alias, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset IssuedAt,
    DateTimeOffset? RevokedAt, string? RevocationReason, string IssuerId, string? Pem = null)
{
    public static CertificateView Of(IssuedCertificateRecord c, bool withPem = false) => new(
        c.SerialNumber, c.Subject, c.Username, c.Alias, c.NotBefore, c.NotAfter, c.IssuedAt, c.RevokedAt, c.RevocationReason?.ToString(), c.IssuerId,
        withPem ? PemEncoding.WriteString("CERTIFICATE", c.RawData) : null);
}

/// <summary>A revocation: the reason's name (RFC 5280 §5.3.1: keyCompromise, superseded, ...) or code; none for unspecified.</summary>
public sealed record RevokeRequest(string? Reason = null);

/// <summary>A CRL.</summary>
public sealed record CrlView(string IssuerId, long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate)
{
    public static CrlView Of(StoredCrl c) => new(c.IssuerId, c.Number, c.ThisUpdate, c.NextUpdate);
}

/// <summary>A CA certificate: current, or the next one during a rollover, with its current CRL and its RA certificate (<c>SampleHost:RaCertificate=File</c>).</summary>
public sealed record CaView(string Subject, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string KeyAlgorithm, bool IsNext, CrlView? Crl, RaView? Ra)
{
    public static CaView Of(CaKey ca, bool isNext, StoredCrl? crl) => new(
        ca.Certificate.Subject, ca.Id, ca.Certificate.NotBefore.ToUniversalTime(), ca.Certificate.NotAfter.ToUniversalTime(),
        ca.Certificate.GetKeyAlgorithm() == "1.2.840.10045.2.1" ? "ECDSA" : "RSA", isNext, crl is null ? null : CrlView.Of(crl),
        ca.Ra is { } ra ? RaView.Of(ra) : null);
}

/// <summary>The RA certificate that signs a CA's replies and decrypts its envelopes.</summary>
public sealed record RaView(string Subject, string Sha256, DateTimeOffset NotAfter)
{
    public static RaView Of(RaKey ra) => new(ra.Certificate.Subject, CaKey.IdOf(ra.Certificate), ra.Certificate.NotAfter.ToUniversalTime());
}

/// <summary>An audit entry.</summary>
public sealed record AuditView(string Id, DateTimeOffset At, string Actor, string Action, string? Target, string Outcome, string? Detail)
{
    public static AuditView Of(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.Outcome.ToString(), e.Detail);
}
