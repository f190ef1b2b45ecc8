using System;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Webhooks;

/// <summary>The webhooks' log lines. They name the receiver's URL and the delivery id, never the secret, the challenge or a body.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Challenge webhook {Url} delivery {DeliveryId} for {Alias} transactionID={TransactionId}: {Decision}")]
    public static partial void ChallengeDecided(ILogger logger, Uri? url, string deliveryId, string alias, string transactionId, string decision);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Challenge webhook {Url} delivery {DeliveryId} for {Alias} transactionID={TransactionId} failed ({Problem}): {Outcome}")]
    public static partial void ChallengeFailed(ILogger logger, Uri? url, string deliveryId, string alias, string transactionId, string problem, string outcome);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Notification webhook {Url} delivery {DeliveryId} ({Kind}) delivered: HTTP {StatusCode}")]
    public static partial void NotificationDelivered(ILogger logger, Uri? url, string deliveryId, string kind, int statusCode);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Notification webhook {Url} delivery {DeliveryId} ({Kind}) not delivered after {Attempts} attempt(s): {Problem}")]
    public static partial void NotificationFailed(ILogger logger, Uri? url, string deliveryId, string kind, int attempts, string problem);
}
