using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// The transaction ledger (RFC 8894 §3.3.2 and §3.3.3: a transaction is named by its transactionID and bound to the
/// requester's key): a request is reserved before the authority is asked, every change is a compare-and-swap on the
/// record's version, and the certificate is on record before its reply leaves. Concurrent identical requests therefore
/// never issue twice: one wins each step, the others answer from what it recorded.
/// </summary>
internal sealed class TransactionLedger(IScepTransactionStore store, TimeProvider time, TimeSpan staleAfter)
{
    public ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken) =>
        store.FindAsync(alias, transactionId, cancellationToken);

    public ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken) =>
        store.FindAwaitingApprovalAsync(username, cancellationToken);

    /// <summary>A reservation whose process stopped (a crash) goes stale after <see cref="ScepServerOptions.StaleReservationTimeout"/>.</summary>
    public bool IsStale(DateTimeOffset since) => time.GetUtcNow() - since > staleAfter;

    /// <summary>Whether a transaction is stuck InProcess past the stale timeout.</summary>
    public bool IsStale(ScepTransaction record) => record.State == ScepTransactionState.InProcess && IsStale(record.UpdatedAt);

    /// <summary>
    /// Whether a request with this transactionID starts over instead of being answered from the record: nothing is
    /// recorded, the last attempt was rejected, its reservation went stale, or it waits for a validator's decision.
    /// </summary>
    public bool StartsOver(ScepTransaction? existing) =>
        existing is null
        || existing.State == ScepTransactionState.Rejected
        || IsStale(existing)
        || existing is { State: ScepTransactionState.Pending, PendingKind: ScepPendingKind.Validation };

    /// <summary>
    /// Reserves the transaction for this request (state InProcess): adds it, or replaces a finished attempt of the same
    /// requester. Null when another request got there first.
    /// </summary>
    public async ValueTask<ScepTransaction?> ReserveAsync(Exchange x, EnrollmentRequest request, ScepTransaction? existing, EndEntityStatus? entityStatus, CancellationToken cancellationToken)
    {
        var record = new ScepTransaction
        {
            Alias = x.Alias.Name,
            TransactionId = x.Request.TransactionId,
            RequesterKeyId = request.RequesterKeyId,
            State = ScepTransactionState.InProcess,
            MessageType = request.Message.MessageType,
            Username = request.Username,
            PreviousEntityStatus = entityStatus,
            CreatedAt = existing?.CreatedAt ?? x.Now,
            UpdatedAt = x.Now,
        };

        return await AddOrReplaceAsync(record, existing, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compare-and-swap from the version the caller holds; the stored copy gets version + 1 and the current time.</summary>
    /// <returns>The record as stored, or null when another update came first.</returns>
    public async ValueTask<ScepTransaction?> UpdateAsync(ScepTransaction current, ScepTransaction updated, CancellationToken cancellationToken)
    {
        var next = updated with { Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
        return await store.TryUpdateAsync(next, current.Version, cancellationToken).ConfigureAwait(false) ? next : null;
    }

    public ValueTask<ScepTransaction?> RecordIssuedAsync(ScepTransaction record, ReadOnlyMemory<byte> certificate, CancellationToken cancellationToken) =>
        UpdateAsync(record, record with { State = ScepTransactionState.Issued, IssuedCertificate = certificate.ToArray(), PendingKind = null, PendingRequest = null }, cancellationToken);

    public ValueTask<ScepTransaction?> RecordRejectionAsync(ScepTransaction record, ScepRefusal refusal, CancellationToken cancellationToken) =>
        UpdateAsync(record, record with { State = ScepTransactionState.Rejected, FailInfo = refusal.FailInfo, FailInfoText = refusal.Reason, RefusalCategory = refusal.Category, PendingKind = null, PendingRequest = null }, cancellationToken);

    /// <summary>Records that the authority holds the request for approval; the request is kept for the event that reports its issue.</summary>
    public ValueTask<ScepTransaction?> RecordAwaitingApprovalAsync(ScepTransaction record, string reference, PkiMessage? request, CancellationToken cancellationToken) =>
        UpdateAsync(record, record with { State = ScepTransactionState.Pending, PendingKind = ScepPendingKind.Approval, PendingReference = reference, PendingRequest = request?.Encode() }, cancellationToken);

    /// <summary>
    /// Records that a validator left the request pending: nothing is reserved; the request is kept for the next poll.
    /// Adds the transaction, or replaces the requester's earlier attempt. Null when another request got there first.
    /// </summary>
    public async ValueTask<ScepTransaction?> RecordAwaitingValidationAsync(Exchange x, EnrollmentRequest request, ScepTransaction? existing, CancellationToken cancellationToken)
    {
        var record = new ScepTransaction
        {
            Alias = x.Alias.Name,
            TransactionId = request.Message.TransactionId,
            RequesterKeyId = request.RequesterKeyId,
            State = ScepTransactionState.Pending,
            PendingKind = ScepPendingKind.Validation,
            PendingRequest = request.Message.Encode(),
            MessageType = request.Message.MessageType,
            Username = request.Username,
            CreatedAt = existing?.CreatedAt ?? x.Now,
            UpdatedAt = x.Now,
        };
        return await AddOrReplaceAsync(record, existing, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds <paramref name="record"/>, or replaces the same requester's finished attempt (a rejection, a validator's PENDING,
    /// a stale reservation) by compare-and-swap. Null when another request got there first, or the transactionID is another
    /// requester's.
    /// </summary>
    private async ValueTask<ScepTransaction?> AddOrReplaceAsync(ScepTransaction record, ScepTransaction? existing, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            return await store.TryAddAsync(record, cancellationToken).ConfigureAwait(false) ? record : null;
        }

        if (existing.RequesterKeyId != record.RequesterKeyId)
        {
            return null;
        }

        var replacing = record with { Version = existing.Version + 1 };
        return await store.TryUpdateAsync(replacing, existing.Version, cancellationToken).ConfigureAwait(false) ? replacing : null;
    }
}
