using System;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Client;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// Takes one queued request (a <see cref="PendingApproval"/> of the upstream's CA name) one step on: sends its PKCSReq
/// to the upstream under the RA's key, or polls it with CertPoll when the upstream holds it PENDING, and records what
/// came back in the certificate store (issued: the certificate and the approval in one step; refused: the rejection
/// with the upstream's reason). Every exchange uses the request's own id as the upstream transactionID, so a request
/// sent again (after a lost answer, a restart) is answered from the upstream's record (RFC 8894 §3.3.2), and only one
/// attempt per request runs at a time in this process.
/// </summary>
internal sealed class UpstreamForwarder(
    UpstreamConnection connection, UpstreamQueue queue, RetrySchedule schedule, IOptions<UpstreamCaOptions> options, TimeProvider time, ILogger<UpstreamForwarder> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<EnrollmentDecision?>>> _inFlight = new(StringComparer.Ordinal);

    public RetrySchedule Schedule => schedule;

    /// <summary>
    /// One step for a device waiting on an answer: the decision, where an unreachable upstream gives PENDING or FAILURE
    /// as <see cref="UpstreamCaOptions.WhenUnavailable"/> says.
    /// </summary>
    public async ValueTask<EnrollmentDecision> DecideAsync(PendingApproval request, CancellationToken cancellationToken)
    {
        if (await AdvanceAsync(request, cancellationToken).ConfigureAwait(false) is { } decision)
        {
            return decision;
        }

        if (options.Value.WhenUnavailable == UpstreamUnavailable.Pending)
        {
            return EnrollmentDecision.Pending(request.Id);
        }

        return await RejectAsync(request, FailInfo.BadRequest, UpstreamRefusal.Unreachable).ConfigureAwait(false);
    }

    /// <summary>One step; null when the upstream could not be reached (the request stays queued, retried with back-off).</summary>
    public Task<EnrollmentDecision?> AdvanceAsync(PendingApproval request, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<EnrollmentDecision?>>(() => AttemptAsync(request), LazyThreadSafetyMode.ExecutionAndPublication);
        var current = _inFlight.GetOrAdd(request.Id, mine);
        if (!ReferenceEquals(current, mine))
        {
            // Another caller (the background worker, another poll) is at it: wait for its answer, not a second exchange.
            return current.Value.WaitAsync(cancellationToken);
        }

        return RunAsync();

        async Task<EnrollmentDecision?> RunAsync()
        {
            try
            {
                // The exchange runs to its own time-out even when the device that waits for it goes away.
                return await mine.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _ = mine.Value.ContinueWith(_ => _inFlight.TryRemove(new(request.Id, mine)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task<EnrollmentDecision?> AttemptAsync(PendingApproval request)
    {
        await Task.Yield();
        var now = time.GetUtcNow();
        if (now - request.RequestedAt > options.Value.GiveUpAfter)
        {
            return await RejectAsync(request, FailInfo.BadRequest, $"The upstream CA did not answer within {options.Value.GiveUpAfter.TotalHours:0.#} hours.").ConfigureAwait(false);
        }

        EnrollmentResult result;
        try
        {
            var server = await connection.ServerAsync(CancellationToken.None).ConfigureAwait(false);
            var csr = Pkcs10Request.Decode(request.Csr);
            var transaction = EnrollmentTransaction.Create(request.Id, MessageType.PKCSReq, csr.Subject, csr.PublicKey, connection.Signer);
            result = schedule.IsPendingUpstream(request.Id)
                ? await connection.Client.PollOnceAsync(server, transaction, CancellationToken.None).ConfigureAwait(false)
                : await connection.Client.SendPkcsReqAsync(server, transaction, csr, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ScepTransportException or ScepException or UpstreamException or System.Net.Http.HttpRequestException or OperationCanceledException)
        {
            connection.Forget();
            schedule.Unreachable(request.Id, time.GetUtcNow());
            UpstreamLog.Unreachable(logger, request.Id, request.TransactionId, e.Message);
            return null;
        }

        switch (result.Status)
        {
            case EnrollmentStatus.Issued:
                schedule.Done(request.Id);
                return await RecordIssuedAsync(request, result.Certificate!).ConfigureAwait(false);
            case EnrollmentStatus.Pending:
                schedule.PendingUpstream(request.Id, time.GetUtcNow());
                UpstreamLog.PendingUpstream(logger, request.Id, request.TransactionId);
                return EnrollmentDecision.Pending(request.Id);
            default:
                schedule.Done(request.Id);
                return await RejectAsync(request, result.FailInfo ?? FailInfo.BadRequest, UpstreamRefusal.Format(result.FailInfo, result.FailInfoText)).ConfigureAwait(false);
        }
    }

    private async Task<EnrollmentDecision> RecordIssuedAsync(PendingApproval request, X509Certificate2 certificate)
    {
        var decision = await queue.RecordIssuedAsync(request, certificate, CancellationToken.None).ConfigureAwait(false);
        if (decision.Outcome == EnrollmentOutcome.Issued && decision.CertificateRawData.Span.SequenceEqual(certificate.RawData))
        {
            UpstreamLog.Issued(logger, request.Id, request.TransactionId, certificate.SerialNumber);
        }

        // Otherwise decided meanwhile (another instance, an operator): that decision stands, and is the one delivered.
        return decision;
    }

    private async Task<EnrollmentDecision> RejectAsync(PendingApproval request, FailInfo failInfo, string reason)
    {
        schedule.Done(request.Id);
        UpstreamLog.Rejected(logger, request.Id, request.TransactionId, reason);
        return await queue.RejectAsync(request, failInfo, reason, CancellationToken.None).ConfigureAwait(false);
    }
}
