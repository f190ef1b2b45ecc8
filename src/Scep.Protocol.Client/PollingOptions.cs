using System;

namespace Scep.Protocol.Client;

/// <summary>
/// How <see cref="ScepClient.PollAsync"/> waits for a pending request (RFC 8894 §3.3.3 leaves the schedule to
/// the client): the first poll after <see cref="InitialInterval"/>, each later wait multiplied by
/// <see cref="BackoffMultiplier"/> up to <see cref="MaxInterval"/>, until <see cref="Timeout"/> has passed
/// or <see cref="MaxAttempts"/> polls were sent. Immutable.
/// </summary>
public sealed class PollingOptions
{
    /// <summary>30 seconds, doubling up to 10 minutes, for at most 8 hours and 100 polls (Cisco devices poll up to 100 times).</summary>
    public static PollingOptions Default { get; } = new();

    /// <summary>The wait before the first poll.</summary>
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two polls.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The factor applied to the wait after each pending reply (1 for a fixed interval).</summary>
    public double BackoffMultiplier { get; init; } = 2.0;

    /// <summary>How long to keep polling, from the call: a wait that would end later is cut short for one last poll.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(8);

    /// <summary>The most polls to send.</summary>
    public int MaxAttempts { get; init; } = 100;

    internal void Validate()
    {
        if (InitialInterval < TimeSpan.Zero || MaxInterval < InitialInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialInterval), "Intervals must be non-negative, and MaxInterval at least InitialInterval.");
        }

        if (!(BackoffMultiplier >= 1.0) || double.IsInfinity(BackoffMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(BackoffMultiplier), BackoffMultiplier, "The multiplier must be a finite number of at least 1.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive.");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one poll is needed.");
        }
    }
}
