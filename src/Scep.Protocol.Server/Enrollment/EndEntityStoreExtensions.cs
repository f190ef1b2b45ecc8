using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>Administration of end entities over any <see cref="IEndEntityStore"/>.</summary>
public static class EndEntityStoreExtensions
{
    /// <summary>
    /// Resets an end entity for a new enrollment (EJBCA: set the status back to NEW): status NEW, the wrong-code count
    /// zero (this lifts a lockout), and, when given, a new enrollment code and its expiry. Compare-and-swap until it
    /// lands, so a concurrent request never overwrites the reset.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="username">The entity.</param>
    /// <param name="now">The time recorded as the status change.</param>
    /// <param name="newEnrollmentCode">A new one-time code (stored hashed), or null to keep the current one.</param>
    /// <param name="codeExpiresAt">When the code stops working; null for never. Applies to a kept code too.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entity as reset, or null when there is none with this username.</returns>
    public static async ValueTask<EndEntity?> ResetAsync(
        this IEndEntityStore store, string username, DateTimeOffset now, string? newEnrollmentCode = null, DateTimeOffset? codeExpiresAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(username);
        var codeHash = newEnrollmentCode is null ? null : EnrollmentCode.Hash(newEnrollmentCode);
        while (await store.FindAsync(username, cancellationToken).ConfigureAwait(false) is { } current)
        {
            var reset = current with
            {
                Status = EndEntityStatus.New,
                FailedCodeAttempts = 0,
                EnrollmentCodeHash = codeHash ?? current.EnrollmentCodeHash,
                EnrollmentCodeExpiresAt = codeExpiresAt,
                StatusChangedAt = now,
                Version = current.Version + 1,
            };
            if (await store.TryUpdateAsync(reset, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return reset;
            }
        }

        return null;
    }
}
