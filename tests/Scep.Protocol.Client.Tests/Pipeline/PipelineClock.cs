using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// The client's clock in the pipeline tests: it reads the server's <see cref="FakeTimeProvider"/>, so client and
/// server share one timeline, and a wait (the poll back-off's <c>Task.Delay</c>) advances that clock by the wait
/// and fires at once instead of sleeping. The waits are recorded.
/// </summary>
public sealed class PipelineClock(FakeTimeProvider time) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _waits = [];

    /// <summary>The waits the client asked for, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_gate)
            {
                return _waits.ToArray();
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

    public override long GetTimestamp() => time.GetTimestamp();

    public override long TimestampFrequency => time.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new AdvancingTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Wait(TimeSpan dueTime)
    {
        lock (_gate)
        {
            _waits.Add(dueTime);
        }

        time.Advance(dueTime);
    }

    /// <summary>Fires once per <see cref="Change"/> with a finite due time, after advancing the shared clock by it.</summary>
    private sealed class AdvancingTimer(PipelineClock clock, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            clock.Wait(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => default;
    }
}
