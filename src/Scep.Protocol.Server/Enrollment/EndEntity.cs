using System;
using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>
/// An end entity: who may enroll, with which one-time enrollment code, and in which state. Immutable; stores
/// update it with compare-and-swap on <see cref="Version"/>.
/// </summary>
public sealed record EndEntity
{
    /// <summary>The username; in CA mode the CN of the request's subject.</summary>
    public required string Username { get; init; }

    /// <summary>The enrollment code as <see cref="EnrollmentCode.Hash"/> stored it (never the code itself); null when none is set.</summary>
    public string? EnrollmentCodeHash { get; init; }

    /// <summary>The status.</summary>
    public EndEntityStatus Status { get; init; } = EndEntityStatus.New;

    /// <summary>The subject DN certificates are issued with; null uses the request's subject.</summary>
    public string? SubjectDn { get; init; }

    /// <summary>The alias the entity belongs to; null lets any alias of its CA use it.</summary>
    public string? Alias { get; init; }

    /// <summary>Profile data for the authority (certificate profile, validity, extensions ...).</summary>
    public IReadOnlyDictionary<string, string> ProfileData { get; init; } = new Dictionary<string, string>();

    /// <summary>When the enrollment code stops working; null when it does not expire (CA mode refuses an expired code).</summary>
    public DateTimeOffset? EnrollmentCodeExpiresAt { get; init; }

    /// <summary>
    /// Wrong enrollment codes sent since the code was set or last used; at <see cref="ScepServerOptions.MaxFailedCodeAttempts"/>
    /// the entity becomes <see cref="EndEntityStatus.Failed"/> (locked) until an administrator resets it
    /// (<see cref="EndEntityStoreExtensions.ResetAsync"/>).
    /// </summary>
    public int FailedCodeAttempts { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset StatusChangedAt { get; init; }

    /// <summary>The optimistic-concurrency version: a store increments it on each successful update.</summary>
    public long Version { get; init; }
}
