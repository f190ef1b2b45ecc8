namespace Scep.Protocol.Server;

/// <summary>
/// What a PKIOperation handler answers: the signed CertRep; the refusal when it is a FAILURE; and the event to tell
/// the observers when the answer committed something new (a certificate issued, a request left pending).
/// </summary>
internal sealed record OperationResult(PkiMessage Reply, ScepRefusal? Refusal)
{
    /// <summary>The committed change to report, if any (re-sent requests answered from the record report none).</summary>
    public EnrollmentEvent? Event { get; init; }

    /// <summary>Whether the answer was read from the transaction's record (a re-sent request, a poll), not decided now.</summary>
    public bool FromRecord { get; init; }
}
