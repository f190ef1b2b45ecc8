using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// The validators each alias runs, composed once with <see cref="ChallengeValidators.AllOf"/>: the alias's built-in one
/// first (CA mode: <see cref="EnrollmentCodeValidator"/>; RA mode with <see cref="ScepAliasOptions.RaChallenge"/>: the
/// static secret), then every registered <see cref="IChallengeValidator"/> in registration order. When all abstain the
/// request is refused: an enrollment needs someone's yes.
/// </summary>
internal sealed class ChallengeChain
{
    private static readonly ScepRefusal NobodyAllowed = new(FailInfo.BadRequest, ChallengeDecision.InvalidChallengeReason, RefusalCategory.ChallengeDenied);
    private readonly Dictionary<string, IChallengeValidator> _byAlias = new(StringComparer.OrdinalIgnoreCase);

    public ChallengeChain(ScepServerOptions options, IEndEntityStore? entities, IEnumerable<IChallengeValidator> registered)
    {
        var hosts = registered.ToArray();
        foreach (var (name, alias) in options.Aliases)
        {
            IChallengeValidator? builtIn = alias.Mode switch
            {
                ScepOperationMode.Ca when entities is not null => new EnrollmentCodeValidator(entities, options.MaxFailedCodeAttempts),
                ScepOperationMode.Ra when alias.RaChallenge is { } secret => new StaticChallengeValidator(secret),
                _ => null,
            };
            _byAlias[name] = ChallengeValidators.AllOf([.. (builtIn is null ? [] : new[] { builtIn }), .. hosts]);
        }
    }

    /// <summary>The alias's decision; an all-abstain is a denial.</summary>
    public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        var decision = await _byAlias[context.Alias].ValidateAsync(context, cancellationToken).ConfigureAwait(false);
        return decision.Outcome == ChallengeOutcome.Abstain ? ChallengeDecision.Deny(NobodyAllowed) : decision;
    }
}
