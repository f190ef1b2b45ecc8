using System;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.AspNetCore;

/// <summary>
/// The NDES alias's challenge check: the request's challengePassword must be a password from the admin page, unused
/// (or used by this same transaction) and unexpired; it is spent here, when the check allows, so it stays spent even
/// when the CA refuses the request afterwards (NDES spends a password on use too). Other aliases: abstain.
/// </summary>
internal sealed class NdesChallengeValidator(NdesPasswordCache cache, IOptions<NdesOptions> options) : IChallengeValidator
{
    public ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals(context.Alias, options.Value.Alias, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(ChallengeDecision.Abstain);
        }

        // The spender is the transaction and its requester's key: a re-sent copy matches, another device with a copied
        // transactionID does not.
        var requester = Convert.ToHexString(SHA256.HashData(context.Request.SignerPublicKeyInfo.Span));
        var spender = context.Request.TransactionId + "/" + requester;
        return ValueTask.FromResult(ChallengeDecision.FromVerdict(cache.TryConsume(context.ChallengePassword, spender)));
    }
}
