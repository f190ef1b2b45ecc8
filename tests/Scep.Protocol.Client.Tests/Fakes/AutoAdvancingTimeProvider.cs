using System;
using System.Collections.Generic;
using System.Threading;

namespace Scep.Protocol.Client.Tests.Fakes;

/// <summary>
/// A clock that never waits: every timer advances the clock by its due time and fires at once (on the thread
/// pool), and the requested delays are recorded. Poll back-off is tested on it without sleeping.
/// </summary>
public sealed class AutoAdvancingTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now;
    private long _elapsedTicks;

    public AutoAdvancingTimeProvider(DateTimeOffset start) => _now = start;

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_gate)
            {
                return _delays.ToArray();
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _elapsedTicks;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FiringTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _delays.Add(by);
            _now += by;
            _elapsedTicks += by.Ticks;
        }
    }

    private sealed class FiringTimer(AutoAdvancingTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            clock.Advance(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return true;
        }

        public void Dispose()
        {
        }

        public System.Threading.Tasks.ValueTask DisposeAsync() => default;
    }
}
