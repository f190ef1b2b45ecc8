using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Records the authority's decision in the ledger and the end entity, then answers it: Issued → the certificate on
/// record (before the reply leaves), the entity GENERATED; Pending → the transaction awaits approval, the entity stays
/// reserved (its code held); Rejected → the refusal on record, the entity back to its status before.
/// </summary>
internal sealed class DecisionRecorder(TransactionLedger ledger, EndEntityReservations entities)
{
    /// <summary>Refusal of a PENDING on an alias without <see cref="ScepAliasOptions.AllowPending"/>.</summary>
    private static readonly ScepRefusal PendingNotAllowed = new(FailInfo.BadRequest, "Manual approval is not available on this alias.", RefusalCategory.NotAvailable);

    /// <summary>
    /// The answer to the decision; null when another request changed the transaction first (answer from the record then).
    /// <paramref name="request"/> is the request when it is at hand (a fresh request, or the one a pending transaction kept);
    /// <paramref name="issuer"/> is the CA that was asked to issue, when known (a fresh request); null finds it from the
    /// certificate (an approval delivered at a poll).
    /// </summary>
    public async ValueTask<OperationResult?> ApplyAsync(
        Exchange x, ScepTransaction record, EndEntity? entity, EnrollmentDecision decision, EnrollmentRequest? request, ScepCaCredentials? issuer, CancellationToken cancellationToken)
    {
        var csr = request?.Csr;
        switch (decision.Outcome)
        {
            case EnrollmentOutcome.Issued:
                var certificate = decision.CertificateRawData;
                if (await ledger.RecordIssuedAsync(record, certificate, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                await entities.SetStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
                return x.Issued(certificate, issuer) with { Event = Event(x, record, EnrollmentEventKind.Issued, csr, certificate) };

            case EnrollmentOutcome.Pending when x.Alias.Options.AllowPending:
                if (record.State == ScepTransactionState.Pending)
                {
                    return x.Pending();
                }

                if (await ledger.RecordAwaitingApprovalAsync(record, decision.PendingReference!, request?.Message, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                return x.Pending() with { Event = Event(x, record, EnrollmentEventKind.Pending, csr, pendingKind: ScepPendingKind.Approval) };

            default:
                var refusal = decision.Outcome == EnrollmentOutcome.Pending
                    ? PendingNotAllowed
                    : new ScepRefusal(decision.FailInfo ?? FailInfo.BadRequest, decision.Reason ?? "The request was rejected.", RefusalCategory.AuthorityRejected);
                if (await ledger.RecordRejectionAsync(record, refusal, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                await entities.SetStatusAsync(entity, EndEntityReservations.StatusToRestore(record), x.Now, cancellationToken).ConfigureAwait(false);
                return x.Failure(refusal);
        }
    }

    /// <summary>An event about this exchange's transaction.</summary>
    public static EnrollmentEvent Event(
        Exchange x, ScepTransaction record, EnrollmentEventKind kind, Pkcs10Request? csr, ReadOnlyMemory<byte> certificate = default, ScepPendingKind? pendingKind = null) =>
        new(kind, x.Alias.Name, x.Alias.Options.CaName, x.Now, certificate)
        {
            TransactionId = record.TransactionId,
            MessageType = record.MessageType,
            Username = record.Username,
            CertificationRequest = csr,
            PendingKind = pendingKind,
        };
}
