using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// CertPoll (20; GetCertInitial in draft-23), RFC 8894 §3.3.3: the transaction is found by transactionID and bound to the
/// requester's key; the answer is what is recorded now, or the authority's (or validators') decision on a pending request.
/// </summary>
internal sealed class CertPollOperation(TransactionLedger ledger, StaleReservations stale, RecordedAnswers answers) : IPkiMessageOperation
{
    private static readonly ScepRefusal Unknown = new(FailInfo.BadRequest, "No request with this transactionID is known.", RefusalCategory.NotFound);
    private static readonly ScepRefusal DidNotComplete = new(FailInfo.BadRequest, "The request with this transactionID did not complete; send a new request.", RefusalCategory.NotFound);

    public bool IsServedBy(AliasRuntime alias) => true;

    public async ValueTask<OperationResult> HandleAsync(Exchange x, PkiMessageContent content, CancellationToken cancellationToken)
    {
        var record = await ledger.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return x.Failure(Unknown);
        }

        var requesterKeyId = RequesterKey.Id(RequesterKey.Of(x.Request));
        if (ledger.IsStale(record))
        {
            var settled = await stale.SettleAsync(x, record, cancellationToken).ConfigureAwait(false);
            return settled is null
                ? x.Failure(DidNotComplete)
                : await answers.FromRecordAsync(x, settled, requesterKeyId, cancellationToken).ConfigureAwait(false);
        }

        return await answers.FromRecordAsync(x, record, requesterKeyId, cancellationToken).ConfigureAwait(false);
    }
}
