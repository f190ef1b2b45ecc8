using System;

namespace Scep.Protocol.Server;

/// <summary>
/// Which enrollment <see cref="IEnrollmentAuthority.FindIssuedAsync"/> asks about: by transaction when
/// <see cref="TransactionId"/> is set, otherwise the latest certificate for <see cref="Username"/> issued at or after
/// <see cref="Since"/> (the moment the end entity was reserved).
/// </summary>
public sealed class IssuedEnrollmentQuery
{
    /// <summary>The alias's CA name.</summary>
    public required string CaName { get; init; }

    /// <summary>The alias the enrollment came through.</summary>
    public required string Alias { get; init; }

    /// <summary>The transactionID of the enrollment, or null to ask by end entity.</summary>
    public string? TransactionId { get; init; }

    /// <summary>The end entity the enrollment was for, when known.</summary>
    public string? Username { get; init; }

    /// <summary>When the enrollment started: certificates issued earlier do not answer the question.</summary>
    public required DateTimeOffset Since { get; init; }
}
