using System;
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
    /// <param name="alias">The alias.</param>
    /// <param name="transactionId">The transactionID (exact).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The transaction, or null.</returns>
    ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken);

    /// <summary>Adds a transaction unless one with its alias and transactionID exists.</summary>
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
}

/// <summary>Where a transaction stands.</summary>
public enum ScepTransactionState
{
    /// <summary>Being processed now (or its process died; then it goes stale after <see cref="ScepServerOptions.StaleReservationTimeout"/>).</summary>
    InProcess = 1,

    /// <summary>The authority left it pending.</summary>
    Pending,

    /// <summary>A certificate was issued.</summary>
    Issued,

    /// <summary>It was rejected.</summary>
    Rejected,
}

/// <summary>One SCEP transaction as the pipeline records it. Immutable.</summary>
public sealed record ScepTransaction
{
    /// <summary>The alias.</summary>
    public required string Alias { get; init; }

    /// <summary>The transactionID.</summary>
    public required string TransactionId { get; init; }

    /// <summary>SHA-256 (hex) of the requester's signer public key: only the same key may poll or re-send.</summary>
    public required string RequesterKeyId { get; init; }

    /// <summary>The state.</summary>
    public required ScepTransactionState State { get; init; }

    /// <summary>The request's messageType.</summary>
    public MessageType MessageType { get; init; }

    /// <summary>The end entity's username, if any.</summary>
    public string? Username { get; init; }

    /// <summary>
    /// The end entity's status before this transaction reserved it, restored when the request is rejected or the
    /// authority fails: a refused renewal leaves its entity <see cref="EndEntityStatus.Generated"/>, so the
    /// enrollment code that was spent stays spent. Null when no entity existed (restored as <see cref="EndEntityStatus.New"/>).
    /// </summary>
    public EndEntityStatus? PreviousEntityStatus { get; init; }

    /// <summary>The DER of the issued certificate, once issued.</summary>
    public byte[]? IssuedCertificate { get; init; }

    /// <summary>The authority's reference for a pending request.</summary>
    public string? PendingReference { get; init; }

    /// <summary>The failInfo of a rejection.</summary>
    public FailInfo? FailInfo { get; init; }

    /// <summary>The reason of a rejection, as sent to the client.</summary>
    public string? FailInfoText { get; init; }

    /// <summary>When the transaction started.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The optimistic-concurrency version.</summary>
    public long Version { get; init; }
}
