using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>RA mode's static challenge (<see cref="ScepAliasOptions.RaChallenge"/>): the built-in validator of an RA alias that has one.</summary>
internal sealed class StaticChallengeValidator : IChallengeValidator
{
    private readonly byte[] _secretHash;

    public StaticChallengeValidator(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    public ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(ChallengeDecision.FromVerdict(Matches(context.ChallengePassword)));
    }

    /// <summary>Constant time over the digests: neither the secret's content nor its length shows in the timing.</summary>
    private bool Matches(string? presented)
    {
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(_secretHash, presentedHash) && presented is not null;
    }
}
