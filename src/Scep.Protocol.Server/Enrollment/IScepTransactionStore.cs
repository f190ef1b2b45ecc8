using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Remembers SCEP transactions so that a re-sent request returns the same answer instead of a second
/// certificate, CertPoll finds its pending request, and a certificate is recorded before its reply is sent.
/// Keyed by alias and transactionID; updates are compare-and-swap on <see cref="ScepTransaction.Version"/>.
/// </summary>
public interface IScepTransactionStore
{
    /// <summary>Finds a transaction.</summary>
    /// <param name="alias">The alias, compared case-insensitively (aliases are).</param>
    /// <param name="transactionId">The transactionID (exact).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The transaction, or null.</returns>
    ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken);

    /// <summary>Adds a transaction unless one with its alias (case-insensitive) and transactionID exists.</summary>
    /// <param name="transaction">The transaction, version 0.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when it exists.</returns>
    ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Replaces the stored transaction if it still has <paramref name="expectedVersion"/>; the stored copy gets version <paramref name="expectedVersion"/> + 1.</summary>
    /// <param name="transaction">The new state.</param>
    /// <param name="expectedVersion">The version the caller read.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when another update came first.</returns>
    ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The transaction of <paramref name="username"/> that awaits the authority's approval (<see cref="ScepTransactionState.Pending"/>
    /// with <see cref="ScepPendingKind.Approval"/>), if any. While one exists the end entity's reservation does not go stale,
    /// so its one-time code cannot start a second request. Asked only when an entity's reservation is older than
    /// <see cref="ScepServerOptions.StaleReservationTimeout"/>.
    /// </summary>
    /// <param name="username">The end entity's username (exact).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The transaction, or null.</returns>
    ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken);
}
