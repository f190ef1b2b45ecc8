using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>The settings of <see cref="IssuingAuthority"/> (configuration section of the host's choice, e.g. <c>Issuing</c>).</summary>
public sealed class IssuingAuthorityOptions
{
    /// <summary>The profile of certificates issued through aliases without one of their own.</summary>
    public CertificateProfile Profile { get; set; } = new();

    /// <summary>Profiles of particular aliases (by alias name, case-insensitive).</summary>
    public IDictionary<string, CertificateProfile> AliasProfiles { get; } = new Dictionary<string, CertificateProfile>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Aliases whose enrollments are held for an operator (<see cref="IssuingAuthority.ApproveAsync"/>): the client gets PENDING and its certificate at a poll after the approval. Default: none.</summary>
    public IList<string> ApprovalAliases { get; } = new List<string>();

    /// <summary>How long a CRL is valid (its nextUpdate); a stored CRL is rebuilt when half of it has passed, or after a revocation. Default: 24 hours.</summary>
    public TimeSpan CrlValidity { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The profile for an alias.</summary>
    /// <param name="alias">The alias.</param>
    /// <returns>Its own profile, or <see cref="Profile"/>.</returns>
    public CertificateProfile ProfileFor(string alias) => AliasProfiles.TryGetValue(alias, out var profile) ? profile : Profile;

    /// <summary>Whether an alias holds its enrollments for approval.</summary>
    /// <param name="alias">The alias.</param>
    /// <returns>True when it is one of <see cref="ApprovalAliases"/>.</returns>
    public bool RequiresApproval(string alias) => ApprovalAliases.Any(a => string.Equals(a, alias, StringComparison.OrdinalIgnoreCase));
}
