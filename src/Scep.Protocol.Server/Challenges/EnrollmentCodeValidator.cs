using System;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// CA mode's built-in validator (EJBCA's SCEP "CA mode"): the request's CN names an end entity and its
/// challengePassword is that entity's one-time enrollment code, compared in constant time with the stored hash.
/// Wrong codes are counted and lock the entity (status FAILED) at <see cref="ScepServerOptions.MaxFailedCodeAttempts"/>;
/// an expired code is refused. Every refusal gives the client one and the same reason (no oracle for usernames or
/// codes); the category says which rule refused.
/// </summary>
internal sealed class EnrollmentCodeValidator(IEndEntityStore store, int maxFailedAttempts) : IChallengeValidator
{
    /// <summary>The one reason CA mode gives for an unknown user, a wrong code, a spent or expired code and a locked entity alike (EJBCA).</summary>
    internal const string Refusal = "The end entity is unknown, its status does not allow enrollment, or the challenge password is wrong.";

    /// <summary>Checked against when the user is unknown, so that a wrong username costs what a wrong code costs.</summary>
    private static readonly string DummyHash = EnrollmentCode.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entity = context.EndEntity;
        var codeMatches = EnrollmentCode.Verify(entity?.EnrollmentCodeHash ?? DummyHash, context.ChallengePassword ?? string.Empty);
        if (entity is null)
        {
            return Refuse(RefusalCategory.UnknownEntity);
        }

        if (entity.Alias is not null && !entity.Alias.Equals(context.Alias, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(RefusalCategory.WrongAlias);
        }

        if (IsLockedOut(entity))
        {
            return Refuse(RefusalCategory.LockedOut);
        }

        if (!codeMatches)
        {
            var locked = await CountWrongCodeAsync(entity, context.ReceivedAt, cancellationToken).ConfigureAwait(false);
            return Refuse(locked ? RefusalCategory.LockedOut : RefusalCategory.WrongCode);
        }

        if (entity.EnrollmentCodeExpiresAt is { } expiresAt && context.ReceivedAt >= expiresAt)
        {
            return Refuse(RefusalCategory.CodeExpired);
        }

        // InProcess passes here: whether its reservation was abandoned is the reservation's rule (EndEntityReservations).
        return entity.Status switch
        {
            EndEntityStatus.New or EndEntityStatus.InProcess => ChallengeDecision.Allow(),
            EndEntityStatus.Generated => Refuse(RefusalCategory.CodeAlreadyUsed),
            _ => Refuse(RefusalCategory.StatusNotNew),
        };
    }

    private bool IsLockedOut(EndEntity entity) =>
        maxFailedAttempts > 0 && entity.Status == EndEntityStatus.Failed && entity.FailedCodeAttempts >= maxFailedAttempts;

    /// <summary>
    /// Counts one wrong code on an entity whose code is live (status NEW), by compare-and-swap until it lands, so that
    /// concurrent wrong attempts are each counted exactly once; the attempt that reaches the limit sets FAILED.
    /// A spent code (GENERATED) is not counted: wrong guesses must not lock out an entity's renewals.
    /// </summary>
    /// <returns>Whether the entity is locked out now.</returns>
    private async ValueTask<bool> CountWrongCodeAsync(EndEntity entity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (maxFailedAttempts <= 0)
        {
            return false;
        }

        var current = entity;
        while (current is { Status: EndEntityStatus.New })
        {
            var failed = current.FailedCodeAttempts + 1;
            var locks = failed >= maxFailedAttempts;
            var counted = current with
            {
                FailedCodeAttempts = failed,
                Status = locks ? EndEntityStatus.Failed : current.Status,
                StatusChangedAt = locks ? now : current.StatusChangedAt,
                Version = current.Version + 1,
            };
            if (await store.TryUpdateAsync(counted, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return locks;
            }

            current = await store.FindAsync(entity.Username, cancellationToken).ConfigureAwait(false);
        }

        return current is not null && IsLockedOut(current);
    }

    private static ChallengeDecision Refuse(RefusalCategory category) =>
        ChallengeDecision.Deny(new ScepRefusal(FailInfo.BadRequest, Refusal, category));
}
