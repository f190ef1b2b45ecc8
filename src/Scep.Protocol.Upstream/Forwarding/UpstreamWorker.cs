using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// Sends and polls queued requests in the background, each when its <see cref="RetrySchedule"/> says, so that a request
/// reaches the upstream and its answer is recorded even when the device is slow to poll, and everything queued before
/// a restart is taken up again (it is in the store, not in memory).
/// </summary>
internal sealed class UpstreamWorker(ICertificateStore store, IServiceProvider services, IOptions<UpstreamCaOptions> options, TimeProvider time, ILogger<UpstreamWorker> logger) : BackgroundService
{
    private UpstreamForwarder? _forwarder;

    /// <summary>At most this many requests are advanced at once.</summary>
    private const int Parallelism = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Mode == UpstreamMode.Pull)
        {
            // The CA fetches the queue: nothing to send.
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.Value.WorkerInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A store that is briefly unreachable must not end the worker.
                UpstreamLog.WorkerFailed(logger, e);
                await Task.Delay(options.Value.RetryDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One pass over the queue: every request of the upstream's CA name that is due.</summary>
    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        var forwarder = _forwarder ??= services.GetRequiredService<UpstreamForwarder>();
        var now = time.GetUtcNow();
        var due = (await store.ListPendingAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => p.State == ApprovalState.Pending && string.Equals(p.CaName, options.Value.CaName, StringComparison.Ordinal) && forwarder.Schedule.IsDue(p.Id, now))
            .ToList();
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (request, ct) => await forwarder.AdvanceAsync(request, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
