using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Upstream;

/// <summary>What the upstream forwarding logs: request ids, transactionIDs, serial numbers and reasons, never a challenge.</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Upstream CA not reached for request {RequestId} (transactionID {TransactionId}): {Problem}; it stays queued")]
    public static partial void Unreachable(ILogger logger, string requestId, string transactionId, string problem);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Upstream CA holds request {RequestId} (transactionID {TransactionId}) PENDING")]
    public static partial void PendingUpstream(ILogger logger, string requestId, string transactionId);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Upstream CA issued serial {SerialNumber} for request {RequestId} (transactionID {TransactionId})")]
    public static partial void Issued(ILogger logger, string requestId, string transactionId, string serialNumber);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Request {RequestId} (transactionID {TransactionId}) rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string requestId, string transactionId, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Error, Message = "The upstream worker failed a round; it goes on at the next one")]
    public static partial void WorkerFailed(ILogger logger, System.Exception exception);
}
