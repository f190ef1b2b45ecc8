using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>Composes and adapts <see cref="IChallengeValidator"/>s.</summary>
public static class ChallengeValidators
{
    /// <summary>
    /// Every validator must agree: they run in order; the first Deny or Pending is the answer; Allow and Abstain go on.
    /// The result allows when at least one allowed (their profile data merged, later values winning) and abstains when
    /// all abstained. This is how the pipeline runs an alias's built-in validator and the registered ones.
    /// </summary>
    /// <param name="validators">The validators, in order.</param>
    /// <returns>The composed validator.</returns>
    public static IChallengeValidator AllOf(params IChallengeValidator[] validators) => new AllOfValidator(Checked(validators));

    /// <summary>
    /// One validator suffices: they run in order and the first Allow is the answer. Otherwise the result is Pending if one
    /// asked for it, else the first Deny, else Abstain. For alternatives, e.g. a static RA secret or an MDM's challenge.
    /// </summary>
    /// <param name="validators">The validators, in order.</param>
    /// <returns>The composed validator.</returns>
    public static IChallengeValidator AnyOf(params IChallengeValidator[] validators) => new AnyOfValidator(Checked(validators));

    /// <summary>A validator made from a function.</summary>
    /// <param name="validate">The check.</param>
    /// <returns>The validator.</returns>
    public static IChallengeValidator FromFunction(Func<ChallengeValidationContext, CancellationToken, ValueTask<ChallengeDecision>> validate) =>
        new DelegateChallengeValidator(validate);

    /// <summary>A validator made from a yes/no function: true allows, false denies with <see cref="ChallengeDecision.InvalidChallengeReason"/>.</summary>
    /// <param name="validate">The check.</param>
    /// <returns>The validator.</returns>
    public static IChallengeValidator FromPredicate(Func<ChallengeValidationContext, CancellationToken, ValueTask<bool>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        return new DelegateChallengeValidator(async (context, cancellationToken) =>
            ChallengeDecision.FromVerdict(await validate(context, cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>
    /// A static secret (RA mode's <see cref="ScepAliasOptions.RaChallenge"/>), compared in constant time over SHA-256 of
    /// both sides, so neither the content nor the length of the secret leaks through timing.
    /// </summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The validator.</returns>
    public static IChallengeValidator StaticSecret(string secret) => new StaticChallengeValidator(secret);

    private static IChallengeValidator[] Checked(IChallengeValidator[] validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (validators.Any(v => v is null))
        {
            throw new ArgumentException("A validator is null.", nameof(validators));
        }

        return [.. validators];
    }

    private sealed class AllOfValidator(IChallengeValidator[] validators) : IChallengeValidator
    {
        public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
        {
            Dictionary<string, string>? data = null;
            var allowed = false;
            foreach (var validator in validators)
            {
                var decision = await validator.ValidateAsync(context, cancellationToken).ConfigureAwait(false);
                switch (decision.Outcome)
                {
                    case ChallengeOutcome.Allow:
                        allowed = true;
                        foreach (var (key, value) in decision.ProfileData)
                        {
                            (data ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
                        }

                        break;
                    case ChallengeOutcome.Deny or ChallengeOutcome.Pending:
                        return decision;
                }
            }

            return allowed ? ChallengeDecision.Allow(data) : ChallengeDecision.Abstain;
        }
    }

    private sealed class AnyOfValidator(IChallengeValidator[] validators) : IChallengeValidator
    {
        public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
        {
            ChallengeDecision? pending = null;
            ChallengeDecision? denied = null;
            foreach (var validator in validators)
            {
                var decision = await validator.ValidateAsync(context, cancellationToken).ConfigureAwait(false);
                switch (decision.Outcome)
                {
                    case ChallengeOutcome.Allow:
                        return decision;
                    case ChallengeOutcome.Pending:
                        pending ??= decision;
                        break;
                    case ChallengeOutcome.Deny:
                        denied ??= decision;
                        break;
                }
            }

            return pending ?? denied ?? ChallengeDecision.Abstain;
        }
    }
}
