using System;

namespace Scep.Protocol.Server.Storage;

/// <summary>How an audited action ended.</summary>
public enum AuditOutcome
{
    /// <summary>It was done.</summary>
    Succeeded = 1,

    /// <summary>It was refused (not found, already decided, bad input, not allowed): nothing changed.</summary>
    Refused,

    /// <summary>It failed on the way (the database, the CA key): nothing is known to have changed.</summary>
    Failed,
}

/// <summary>
/// One administrative action as the audit log keeps it: who did what to which object, when, and how it ended. Never a
/// secret: an enrollment code or a key is not an audit detail. Immutable.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>The entry's id: sortable by time (its first part is the time in ticks), unique.</summary>
    public required string Id { get; init; }

    /// <summary>When (the server's clock, UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Who: <c>api-key:NAME</c>, <c>certificate:NAME</c>, <c>cli:USER</c>, <c>console:USER</c>, ...</summary>
    public required string Actor { get; init; }

    /// <summary>What, as a short verb phrase: <c>entity.create</c>, <c>certificate.revoke</c>, <c>ca.rollover</c>, ...</summary>
    public required string Action { get; init; }

    /// <summary>The object: a username, a serial number, a request id; null for the CA as a whole.</summary>
    public string? Target { get; init; }

    /// <summary>How it ended.</summary>
    public required AuditOutcome Outcome { get; init; }

    /// <summary>A short description (the reason of a refusal, the revocation reason), or null.</summary>
    public string? Detail { get; init; }
}
