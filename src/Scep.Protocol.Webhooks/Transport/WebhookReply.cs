using System;

namespace Scep.Protocol.Webhooks;

/// <summary>Why a delivery did not give a usable answer; <see cref="None"/> when it did.</summary>
internal enum WebhookFailure
{
    /// <summary>An answer came (any status: the caller decides).</summary>
    None,

    /// <summary>The receiver could not be reached or did not answer in time, or answered 5xx: the service is down.</summary>
    Unavailable,

    /// <summary>The answer is larger than the limit (its status is kept: a notifier counts a 2xx as delivered).</summary>
    TooLarge,
}

/// <summary>What one delivery got back: the status, the signature headers and the bounded body.</summary>
internal sealed record WebhookReply(WebhookFailure Failure, int StatusCode, string? Timestamp, string? Signature, ReadOnlyMemory<byte> Body, string? Detail)
{
    public static WebhookReply Failed(WebhookFailure failure, string detail) => new(failure, 0, null, null, default, detail);
}
