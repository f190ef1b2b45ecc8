using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Decides whether an initial enrollment is authorized by what it carries: its challengePassword (a one-time code,
/// a static RA secret, an MDM's dynamic challenge), its subject, its end entity. Validators compose
/// (<see cref="ChallengeValidators"/>): the pipeline runs the alias's built-in validator (CA mode: the end entity's
/// enrollment code; RA mode: <see cref="ScepAliasOptions.RaChallenge"/>) and then every registered one, and the
/// request goes on only when none denied or asked for PENDING and at least one allowed. Renewals are authorized by
/// their signer certificate instead (RFC 8894 §3.3.1.2) and do not come here.
/// </summary>
public interface IChallengeValidator
{
    /// <summary>Decides on one request. Called before anything is written for it.</summary>
    /// <param name="context">The verified request.</param>
    /// <param name="cancellationToken">Cancels the check (the client went away).</param>
    /// <returns>Allow, deny with a reason, ask for PENDING, or abstain (not this validator's request).</returns>
    ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken);
}
