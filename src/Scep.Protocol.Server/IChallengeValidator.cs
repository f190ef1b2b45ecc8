using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Checks the challengePassword of requests in RA mode: a static secret, an MDM's dynamic challenge, a
/// one-time code from elsewhere. Register one with <c>AddChallengeValidator</c>; without one, an RA alias uses
/// its <see cref="ScepAliasOptions.RaChallenge"/>.
/// </summary>
public interface IChallengeValidator
{
    /// <summary>Whether the request's challenge authorizes it.</summary>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>True to accept.</returns>
    ValueTask<bool> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken);
}

/// <summary>What an <see cref="IChallengeValidator"/> sees.</summary>
public sealed class ChallengeValidationContext
{
    /// <summary>The alias.</summary>
    public required string Alias { get; init; }

    /// <summary>The challengePassword, or null when the request has none. Never log it.</summary>
    public required string? ChallengePassword { get; init; }

    /// <summary>The verified PKCS#10 request.</summary>
    public required Pkcs10Request CertificationRequest { get; init; }

    /// <summary>The verified pkiMessage.</summary>
    public required PkiMessage Request { get; init; }
}

/// <summary>An <see cref="IChallengeValidator"/> made from a function (an MDM's dynamic challenge check, for instance).</summary>
public sealed class DelegateChallengeValidator : IChallengeValidator
{
    private readonly Func<ChallengeValidationContext, CancellationToken, ValueTask<bool>> _validate;

    /// <summary>Wraps <paramref name="validate"/>.</summary>
    /// <param name="validate">The check.</param>
    public DelegateChallengeValidator(Func<ChallengeValidationContext, CancellationToken, ValueTask<bool>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        _validate = validate;
    }

    /// <inheritdoc />
    public ValueTask<bool> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken) => _validate(context, cancellationToken);
}
