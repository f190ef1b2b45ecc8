using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// One attempt at an enrollment, from authorization to the recorded decision: the challenge validators (initial
/// enrollment) or the end entity's renewal status (renewal), then the transaction and the end entity reserved, the
/// authority asked, and its decision recorded. Nothing is written before authorization has passed, except a lockout
/// count and a validator's PENDING.
/// </summary>
internal sealed class EnrollmentAttempt(
    ChallengeChain challenges, TransactionLedger ledger, EndEntityReservations entities, IEnrollmentAuthority authority, DecisionRecorder decisions)
{
    private static readonly IReadOnlyDictionary<string, string> NoData = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The answer; null when another request changed the transaction first (the caller answers from the record).</summary>
    public async ValueTask<OperationResult?> RunAsync(Exchange x, EnrollmentRequest request, ScepTransaction? existing, CancellationToken cancellationToken)
    {
        var options = x.Alias.Options;
        var entity = await entities.FindAsync(request.Username, cancellationToken).ConfigureAwait(false);
        var profileData = NoData;
        if (!request.IsRenewal && !request.AuthorizedByRa)
        {
            ChallengeDecision decision;
            using (ScepDiagnostics.Span("scep.challenge.validate"))
            {
                decision = await challenges.ValidateAsync(
                    new ChallengeValidationContext
                    {
                        Alias = x.Alias.Name,
                        Mode = options.Mode,
                        CaName = options.CaName,
                        ChallengePassword = request.Csr.ChallengePassword,
                        CertificationRequest = request.Csr,
                        Request = request.Message,
                        EndEntity = entity,
                        ReceivedAt = x.Now,
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            switch (decision.Outcome)
            {
                case ChallengeOutcome.Pending:
                    return await AwaitValidationAsync(x, request, existing, cancellationToken).ConfigureAwait(false);
                case ChallengeOutcome.Deny:
                    return await RefuseAsync(x, existing, decision.Refusal!, cancellationToken).ConfigureAwait(false);
            }

            profileData = decision.ProfileData;
            if (options.Mode == ScepOperationMode.Ca && entity is { Status: EndEntityStatus.InProcess }
                && !await entities.IsAbandonedAsync(x, entity, cancellationToken).ConfigureAwait(false))
            {
                return await RefuseAsync(x, existing, new ScepRefusal(FailInfo.BadRequest, EnrollmentCodeValidator.Refusal, RefusalCategory.StatusNotNew), cancellationToken).ConfigureAwait(false);
            }
        }
        else if (options.Mode == ScepOperationMode.Ca && entities.HasStore && request.Username is not null
                 && entity is not { Status: EndEntityStatus.Generated or EndEntityStatus.New })
        {
            return await RefuseAsync(x, existing, new ScepRefusal(FailInfo.BadRequest, "The certificate being renewed belongs to no end entity that may renew.", RefusalCategory.RenewalPolicy), cancellationToken).ConfigureAwait(false);
        }

        if (options.Mode == ScepOperationMode.Ra)
        {
            // RA mode works on the entity as it is now (created or updated from the request), CA mode on the one it authorized.
            entity = request.IsRenewal ? null : entity;
        }

        // Reserve the transaction, then the end entity: compare-and-swap makes one-time codes one-time.
        ScepTransaction? record;
        using (ScepDiagnostics.Span("scep.store.reserve_transaction"))
        {
            record = await ledger.ReserveAsync(x, request, existing, entity?.Status, cancellationToken).ConfigureAwait(false);
        }

        if (record is null)
        {
            return null;
        }

        if (entity is not null || (options.Mode == ScepOperationMode.Ra && request.Username is not null))
        {
            EndEntity? reserved;
            using (ScepDiagnostics.Span("scep.store.reserve_entity"))
            {
                reserved = await entities.ReserveAsync(x, entity, request, profileData, cancellationToken).ConfigureAwait(false);
            }

            if (reserved is null)
            {
                var refusal = options.Mode == ScepOperationMode.Ca
                    ? new ScepRefusal(FailInfo.BadRequest, EnrollmentCodeValidator.Refusal, RefusalCategory.StatusNotNew)
                    : new ScepRefusal(FailInfo.BadRequest, "Another enrollment for this end entity is in progress.", RefusalCategory.Conflict);
                await ledger.RecordRejectionAsync(record, refusal, cancellationToken).ConfigureAwait(false);
                return x.Failure(refusal);
            }

            entity = reserved;
        }

        EnrollmentDecision enrollment;
        try
        {
            using var span = ScepDiagnostics.Span("scep.authority.enroll");
            enrollment = await authority.EnrollAsync(
                new EnrollmentContext
                {
                    Alias = x.Alias.Name,
                    Mode = options.Mode,
                    CaName = options.CaName,
                    IssuingCaCertificate = request.Issuer.CaCertificate,
                    IsForNextCa = !ReferenceEquals(request.Issuer, x.Credentials),
                    CertificationRequest = request.Csr,
                    Request = request.Message,
                    Kind = request.Kind,
                    RenewedCertificate = request.RenewedCertificate,
                    EndEntity = entity,
                    ReceivedAt = x.Now,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The authority failed: leave nothing that blocks a retry.
            await ledger.RecordRejectionAsync(record, new ScepRefusal(FailInfo.BadRequest, "The CA could not process the request.", RefusalCategory.AuthorityRejected), CancellationToken.None).ConfigureAwait(false);
            await entities.SetStatusAsync(entity, EndEntityReservations.StatusToRestore(record), x.Now, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        using (ScepDiagnostics.Span("scep.store.record_decision"))
        {
            return await decisions.ApplyAsync(x, record, entity, enrollment, request, request.Issuer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A refusal before anything was reserved: nothing is written, unless the transaction waited for a validator, whose
    /// record then holds the refusal (a later poll gets the same FAILURE). When no transaction was on record as this
    /// request started, it is looked for again: an identical copy of the request that arrived at the same time may have
    /// reserved the entity (or issued) meanwhile, which is why the entity looked spent; this copy then lost a race and is
    /// answered from that record (null), not refused.
    /// </summary>
    private async ValueTask<OperationResult?> RefuseAsync(Exchange x, ScepTransaction? existing, ScepRefusal refusal, CancellationToken cancellationToken)
    {
        if (existing is null && await ledger.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        if (existing is { State: ScepTransactionState.Pending, PendingKind: ScepPendingKind.Validation }
            && await ledger.RecordRejectionAsync(existing, refusal, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        return x.Failure(refusal);
    }

    /// <summary>A validator asked for PENDING: the request is kept (nothing spent) and validated again when the client polls.</summary>
    private async ValueTask<OperationResult?> AwaitValidationAsync(Exchange x, EnrollmentRequest request, ScepTransaction? existing, CancellationToken cancellationToken)
    {
        if (existing is { State: ScepTransactionState.Pending, PendingKind: ScepPendingKind.Validation })
        {
            return x.Pending();
        }

        var record = await ledger.RecordAwaitingValidationAsync(x, request, existing, cancellationToken).ConfigureAwait(false);
        return record is null
            ? null
            : x.Pending() with { Event = DecisionRecorder.Event(x, record, EnrollmentEventKind.Pending, request.Csr, pendingKind: ScepPendingKind.Validation) };
    }
}
