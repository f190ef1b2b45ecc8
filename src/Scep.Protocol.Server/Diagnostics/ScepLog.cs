using System;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Server;

/// <summary>
/// The pipeline's log lines (category <c>Scep.Protocol.Server.ScepRequestHandler</c>). Untrusted text goes through
/// <see cref="Printable"/>; no challenge password, enrollment code or key is ever logged.
/// </summary>
internal static partial class ScepLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SCEP {Alias} PKIOperation {MessageType} transactionID={TransactionId}: {Status}")]
    public static partial void PkiOperation(ILogger logger, string alias, MessageType messageType, string transactionId, PkiStatus status);

#pragma warning disable SYSLIB1006 // the same event as PkiOperation, for a FAILURE with its failInfo and why
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SCEP {Alias} PKIOperation {MessageType} refused ({Category}) transactionID={TransactionId}: {Status} {FailInfo}")]
    public static partial void PkiOperationRefused(ILogger logger, string alias, MessageType messageType, RefusalCategory category, string transactionId, PkiStatus status, FailInfo failInfo);
#pragma warning restore SYSLIB1006

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "SCEP {Alias} {Operation}: request refused ({Reason})")]
    public static partial void BadRequest(ILogger logger, string alias, string operation, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "SCEP {Alias} {Operation}: internal error")]
    public static partial void InternalError(ILogger logger, Exception exception, string alias, string operation);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "SCEP {Alias} {Operation}: HTTP {StatusCode} ({Outcome})")]
    public static partial void RequestCompleted(ILogger logger, string alias, string operation, string outcome, int statusCode);

    /// <summary>Untrusted text for logs and error bodies: printable ASCII only, bounded.</summary>
    public static string Printable(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 64));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, 64)))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString();
    }
}
