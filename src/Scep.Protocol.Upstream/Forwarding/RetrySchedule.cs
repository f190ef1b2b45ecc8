using System;
using System.Collections.Concurrent;

namespace Scep.Protocol.Upstream;

/// <summary>
/// When each queued request is next sent or polled, in this process's memory: a request that could not be sent waits
/// <see cref="UpstreamCaOptions.RetryDelay"/>, doubling up to <see cref="UpstreamCaOptions.MaxRetryDelay"/>; one the
/// upstream holds PENDING waits <see cref="UpstreamCaOptions.PollInterval"/>. A request it does not know of (new, or
/// queued before a restart) is due at once.
/// </summary>
internal sealed class RetrySchedule(UpstreamCaOptions options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool IsDue(string id, DateTimeOffset now) => !_entries.TryGetValue(id, out var entry) || entry.Due <= now;

    /// <summary>Whether the upstream answered PENDING to this request (it is then polled with CertPoll, not sent again).</summary>
    public bool IsPendingUpstream(string id) => _entries.TryGetValue(id, out var entry) && entry.PendingUpstream;

    public void Unreachable(string id, DateTimeOffset now) => _entries.AddOrUpdate(
        id,
        _ => new Entry(now + options.RetryDelay, options.RetryDelay, false),
        (_, previous) =>
        {
            var delay = previous.Delay <= TimeSpan.Zero ? options.RetryDelay : TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, options.MaxRetryDelay.Ticks));
            return new Entry(now + delay, delay, previous.PendingUpstream);
        });

    public void PendingUpstream(string id, DateTimeOffset now) => _entries[id] = new Entry(now + options.PollInterval, TimeSpan.Zero, true);

    public void Done(string id) => _entries.TryRemove(id, out _);

    private readonly record struct Entry(DateTimeOffset Due, TimeSpan Delay, bool PendingUpstream);
}
