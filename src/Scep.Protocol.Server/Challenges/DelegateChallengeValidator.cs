using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>An <see cref="IChallengeValidator"/> made from a function (an MDM's dynamic challenge check, for instance).</summary>
public sealed class DelegateChallengeValidator : IChallengeValidator
{
    private readonly Func<ChallengeValidationContext, CancellationToken, ValueTask<ChallengeDecision>> _validate;

    /// <summary>Wraps <paramref name="validate"/>.</summary>
    /// <param name="validate">The check.</param>
    public DelegateChallengeValidator(Func<ChallengeValidationContext, CancellationToken, ValueTask<ChallengeDecision>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        _validate = validate;
    }

    /// <inheritdoc />
    public ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken) => _validate(context, cancellationToken);
}
