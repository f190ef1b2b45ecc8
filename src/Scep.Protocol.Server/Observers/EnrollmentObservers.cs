using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>
/// The registered <see cref="IEnrollmentObserver"/>s, called the one way the pipeline calls them: all at once, each
/// bounded by <see cref="ScepServerOptions.ObserverTimeout"/>, every failure logged and none passed on. A host
/// publishes what happens outside SCEP requests here, e.g. a revocation by its administrator.
/// </summary>
public sealed partial class EnrollmentObservers
{
    private readonly IEnrollmentObserver[] _observers;
    private readonly IOptions<ScepServerOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal EnrollmentObservers(IEnumerable<IEnrollmentObserver> observers, IOptions<ScepServerOptions> options, TimeProvider time, ILogger<EnrollmentObservers> logger)
    {
        _observers = [.. observers];
        // Read when there is something to tell: a host without observers (an admin tool) needs no server options.
        _options = options;
        _time = time;
        _logger = logger;
    }

    private TimeSpan Timeout => _options.Value.ObserverTimeout;

    /// <summary>Whether any observer is registered (when none is, events are not even built).</summary>
    public bool Any => _observers.Length > 0;

    /// <summary>Tells every observer; returns when all are done or timed out. Never throws for an observer's fault.</summary>
    /// <param name="enrollmentEvent">What happened (after it was committed).</param>
    /// <param name="cancellationToken">Stops waiting (the caller went away); observers are cancelled too.</param>
    /// <returns>A task that completes when the observers are done or timed out.</returns>
    public ValueTask NotifyAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollmentEvent);
        return NotifyAllAsync([enrollmentEvent], cancellationToken);
    }

    /// <summary>Tells every observer of every event (one reply's events), all under one timeout.</summary>
    internal async ValueTask NotifyAllAsync(IReadOnlyList<EnrollmentEvent> events, CancellationToken cancellationToken)
    {
        if (_observers.Length == 0 || events.Count == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var calls = events.SelectMany(e => _observers.Select(o => CallAsync(o, e, linked.Token))).ToArray();
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    private async Task CallAsync(IEnrollmentObserver observer, EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        var name = observer.GetType().Name;
        try
        {
            // WaitAsync: an observer that ignores its token is not waited for past the timeout either.
            await observer.OnEventAsync(enrollmentEvent, cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_logger, name, enrollmentEvent.Kind, enrollmentEvent.Alias, Timeout.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(_logger, e, name, enrollmentEvent.Kind, enrollmentEvent.Alias);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "SCEP observer {Observer} did not finish {Kind} of alias {Alias} within {TimeoutMs} ms; the reply did not wait for it")]
    private static partial void LogTimedOut(ILogger logger, string observer, EnrollmentEventKind kind, string alias, double timeoutMs);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "SCEP observer {Observer} failed on {Kind} of alias {Alias}; the reply is unaffected")]
    private static partial void LogFailed(ILogger logger, Exception exception, string observer, EnrollmentEventKind kind, string alias);
}
