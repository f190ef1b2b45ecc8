using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Answers a request from its transaction's record (RFC 8894 §3.3.2: a re-sent request with the same transactionID gets
/// the same answer, never a second certificate; §3.3.3: a CertPoll gets the pending request's outcome): SUCCESS with the
/// recorded certificate, the recorded FAILURE, or for a pending one the authority's (or the validators') decision now.
/// Only the requester that started the transaction (by its signer key) is answered.
/// </summary>
internal sealed class RecordedAnswers(
    TransactionLedger ledger, EndEntityReservations entities, IEnrollmentAuthority authority, DecisionRecorder decisions, EnrollmentAttempt attempt)
{
    private static readonly ScepRefusal OtherRequester = new(FailInfo.BadRequest, "This transactionID belongs to another requester.", RefusalCategory.Conflict);
    private static readonly ScepRefusal NotRecorded = new(FailInfo.BadRequest, "The transaction could not be recorded; send the request again.", RefusalCategory.Conflict);

    public async ValueTask<OperationResult> FromRecordAsync(Exchange x, ScepTransaction record, string requesterKeyId, CancellationToken cancellationToken)
    {
        if (record.RequesterKeyId != requesterKeyId)
        {
            return x.Failure(OtherRequester) with { FromRecord = true };
        }

        switch (record.State)
        {
            case ScepTransactionState.Issued:
                await entities.SettleIssuedAsync(record, cancellationToken).ConfigureAwait(false);
                return x.Issued(record.IssuedCertificate!);
            case ScepTransactionState.Rejected:
                var recorded = new ScepRefusal(record.FailInfo ?? FailInfo.BadRequest, record.FailInfoText ?? "The request was rejected.", record.RefusalCategory ?? RefusalCategory.AuthorityRejected);
                return x.Failure(recorded) with { FromRecord = true };
            case ScepTransactionState.Pending when record.PendingKind == ScepPendingKind.Validation:
                return await ValidateAgainAsync(x, record, cancellationToken).ConfigureAwait(false);
            case ScepTransactionState.Pending:
                var decision = await authority.GetPendingDecisionAsync(
                    new PendingEnrollment { Alias = record.Alias, CaName = x.Alias.Options.CaName, TransactionId = record.TransactionId, Reference = record.PendingReference! },
                    cancellationToken).ConfigureAwait(false);
                if (decision.Outcome == EnrollmentOutcome.Pending)
                {
                    return x.Pending();
                }

                var entity = await entities.FindAsync(record.Username, cancellationToken).ConfigureAwait(false);
                if (entity is not null && entity.Status != EndEntityStatus.InProcess)
                {
                    entity = null;
                }

                // The kept request gives the CSR to the Issued event (Intune's notification carries it back).
                var kept = decision.Outcome == EnrollmentOutcome.Issued ? PendingRequests.Open(x, record) : null;
                return await decisions.ApplyAsync(x, record, entity, decision, kept, null, cancellationToken).ConfigureAwait(false)
                    ?? await FromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
            default:
                return x.Pending();
        }
    }

    /// <summary>Another request changed the transaction first (a concurrent poll or re-send): answer from what it recorded.</summary>
    public async ValueTask<OperationResult> FromCurrentAsync(Exchange x, ScepTransaction record, CancellationToken cancellationToken)
    {
        var current = await ledger.FindAsync(record.Alias, record.TransactionId, cancellationToken).ConfigureAwait(false);
        return current is null || current.State is ScepTransactionState.InProcess or ScepTransactionState.Pending
            ? x.Pending()
            : await FromRecordAsync(x, current, record.RequesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers a request that lost its reservation race: from the record, or "send again" when nothing was recorded.</summary>
    public async ValueTask<OperationResult> AfterLostRaceAsync(Exchange x, string requesterKeyId, CancellationToken cancellationToken)
    {
        var current = await ledger.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        return current is null
            ? x.Failure(NotRecorded)
            : await FromRecordAsync(x, current, requesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A CertPoll of a request a validator left pending: the stored request is opened again and goes through the
    /// validators (and, allowed, the whole enrollment) as if it had just arrived.
    /// </summary>
    private async ValueTask<OperationResult> ValidateAgainAsync(Exchange x, ScepTransaction record, CancellationToken cancellationToken)
    {
        var request = PendingRequests.Open(x, record);
        if (request is null)
        {
            var refusal = new ScepRefusal(FailInfo.BadRequest, "The pending request can no longer be read; send a new request.", RefusalCategory.MessageCheck);
            await ledger.RecordRejectionAsync(record, refusal, cancellationToken).ConfigureAwait(false);
            return x.Failure(refusal);
        }

        return await attempt.RunAsync(x, request, record, cancellationToken).ConfigureAwait(false)
            ?? await FromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
    }
}
