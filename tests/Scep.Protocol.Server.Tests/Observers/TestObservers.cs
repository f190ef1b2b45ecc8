using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Tests.Observers;

/// <summary>Keeps every event it hears, in order.</summary>
public sealed class RecordingObserver : IEnrollmentObserver
{
    private readonly ConcurrentQueue<EnrollmentEvent> _events = new();

    public IReadOnlyList<EnrollmentEvent> Events => [.. _events];

    public IReadOnlyList<EnrollmentEvent> Of(EnrollmentEventKind kind) => [.. _events.Where(e => e.Kind == kind)];

    public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(enrollmentEvent);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A second recorder type, so that two observers of different types can be registered.</summary>
public sealed class OtherRecordingObserver : IEnrollmentObserver
{
    public RecordingObserver Inner { get; } = new();

    public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken) => Inner.OnEventAsync(enrollmentEvent, cancellationToken);
}

/// <summary>Fails on every event, synchronously (before returning a task) or as a faulted task.</summary>
public sealed class ThrowingObserver(bool synchronously) : IEnrollmentObserver
{
    public int Calls { get; private set; }

    public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        Calls++;
        var error = new InvalidOperationException("observer broke on purpose");
        return synchronously ? throw error : ValueTask.FromException(error);
    }
}

/// <summary>Never completes and ignores its token; tells the test when it was entered and which token it got.</summary>
public sealed class HangingObserver : IEnrollmentObserver
{
    private readonly TaskCompletionSource _never = new();

    public TaskCompletionSource<CancellationToken> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        Entered.TrySetResult(cancellationToken);
        return new ValueTask(_never.Task);
    }
}
