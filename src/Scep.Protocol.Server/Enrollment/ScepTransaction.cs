using System;
using System.Text.Json.Serialization;

namespace Scep.Protocol.Server;

/// <summary>What a <see cref="ScepTransactionState.Pending"/> transaction waits for.</summary>
public enum ScepPendingKind
{
    /// <summary>The authority's decision (<see cref="EnrollmentDecision.Pending"/>): the end entity stays reserved and its code held.</summary>
    Approval = 1,

    /// <summary>
    /// A challenge validator's decision (<see cref="ChallengeDecision.Pending"/>): nothing is reserved or spent; the request is kept
    /// (<see cref="ScepTransaction.PendingRequest"/>) and validated again at the next CertPoll or re-sent request.
    /// </summary>
    Validation,
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

    /// <summary>What a pending transaction waits for; null unless <see cref="State"/> is <see cref="ScepTransactionState.Pending"/>.</summary>
    public ScepPendingKind? PendingKind { get; init; }

    /// <summary>The authority's reference for a request pending its approval.</summary>
    public string? PendingReference { get; init; }

    /// <summary>
    /// While pending: the client's pkiMessage (DER) as it arrived, still enveloped to the CA (its challenge is not readable at
    /// rest), so that a CertPoll can have it validated again (<see cref="ScepPendingKind.Validation"/>) or report its CSR once
    /// it is issued (<see cref="ScepPendingKind.Approval"/>). Null otherwise.
    /// </summary>
    public byte[]? PendingRequest { get; init; }

    /// <summary>The failInfo of a rejection.</summary>
    public FailInfo? FailInfo { get; init; }

    /// <summary>The reason of a rejection, as sent to the client.</summary>
    public string? FailInfoText { get; init; }

    /// <summary>Why it was rejected, for logs and observers (the client sees only <see cref="FailInfoText"/>).</summary>
    public RefusalCategory? RefusalCategory { get; init; }

    /// <summary>When the transaction started.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The optimistic-concurrency version.</summary>
    public long Version { get; init; }

    /// <summary>Whether the transaction is pending the authority's approval (a pending transaction recorded before <see cref="PendingKind"/> existed counts as one).</summary>
    [JsonIgnore]
    public bool AwaitsApproval => State == ScepTransactionState.Pending && PendingKind is null or ScepPendingKind.Approval;
}
