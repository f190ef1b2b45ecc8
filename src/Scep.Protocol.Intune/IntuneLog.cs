using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Intune;

/// <summary>What the Intune integration logs: never a challenge, a secret or a token.</summary>
internal static partial class IntuneLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Intune validated the request of alias {Alias}, transaction {TransactionId}: {Code}")]
    public static partial void Validated(ILogger logger, string alias, string transactionId, string code);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Intune could not validate the request of alias {Alias}, transaction {TransactionId}: {Problem}")]
    public static partial void Unavailable(ILogger logger, string alias, string transactionId, string problem);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Intune heard of the {Kind} request of alias {Alias}, transaction {TransactionId}: {Code}")]
    public static partial void Notified(ILogger logger, string kind, string alias, string transactionId, string code);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Intune was not told of the {Kind} request of alias {Alias}, transaction {TransactionId}: {Problem}")]
    public static partial void NotificationFailed(ILogger logger, string kind, string alias, string transactionId, string problem);
}
