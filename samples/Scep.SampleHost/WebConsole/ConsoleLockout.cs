using System;
using System.Collections.Concurrent;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// Slows down password guessing: after <see cref="MaxFailures"/> failed sign-ins in a row a user is locked out for
/// <see cref="Duration"/>, the right password included. Kept in memory (a restart lifts it) and only for configured
/// names, so guessed names cannot grow it.
/// </summary>
public sealed class ConsoleLockout(TimeProvider time)
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _state = new(StringComparer.Ordinal);

    public bool IsLockedOut(string name)
    {
        if (!_state.TryGetValue(name, out var state) || state.LockedUntil is not { } until)
        {
            return false;
        }

        if (time.GetUtcNow() < until)
        {
            return true;
        }

        // The lockout is over: the next failures count from zero.
        _state.TryRemove(new(name, state));
        return false;
    }

    public void Failed(string name) => _state.AddOrUpdate(
        name,
        _ => (1, null),
        (_, state) => state.Failures + 1 >= MaxFailures ? (0, time.GetUtcNow() + Duration) : (state.Failures + 1, state.LockedUntil));

    public void Succeeded(string name) => _state.TryRemove(name, out _);
}
