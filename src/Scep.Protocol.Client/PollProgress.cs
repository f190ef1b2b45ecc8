using System;

namespace Scep.Protocol.Client;

/// <summary>Reported by <see cref="ScepClient.PollAsync"/> before each wait, for a progress line.</summary>
public sealed class PollProgress
{
    internal PollProgress(string transactionId, int attempt, int maxAttempts, TimeSpan elapsed, TimeSpan nextPollIn)
    {
        TransactionId = transactionId;
        Attempt = attempt;
        MaxAttempts = maxAttempts;
        Elapsed = elapsed;
        NextPollIn = nextPollIn;
    }

    /// <summary>The transaction being polled.</summary>
    public string TransactionId { get; }

    /// <summary>The number of the poll about to be sent, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The most polls that will be sent.</summary>
    public int MaxAttempts { get; }

    /// <summary>Time since polling started, on the client's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The wait before this poll.</summary>
    public TimeSpan NextPollIn { get; }
}
