using System;

namespace Scep.Protocol;

/// <summary>
/// The one exception type the codecs throw for bad input: it carries the <see cref="ScepError"/> reason,
/// the <see cref="Protocol.FailInfo"/> a server should answer with, and a readable message that never
/// contains secrets.
/// </summary>
public sealed class ScepException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> with a readable message.</summary>
    /// <param name="reason">Why the operation failed.</param>
    /// <param name="message">A readable explanation, safe to log and to send as failInfoText.</param>
    public ScepException(ScepError reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception for <paramref name="reason"/> that wraps the exception that caused it.</summary>
    /// <param name="reason">Why the operation failed.</param>
    /// <param name="message">A readable explanation, safe to log and to send as failInfoText.</param>
    /// <param name="innerException">The underlying exception.</param>
    public ScepException(ScepError reason, string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the operation failed.</summary>
    public ScepError Reason { get; }

    /// <summary>The failInfo a server answers with for this failure.</summary>
    public FailInfo FailInfo => Reason.ToFailInfo();
}
