using System;
using System.Collections.Generic;

namespace Scep.Protocol.Webhooks;

/// <summary>What the challenge webhook does when its receiver is down (unreachable, too slow, 5xx).</summary>
public enum WebhookUnavailableBehavior
{
    /// <summary>The device gets a signed FAILURE (badRequest) saying the webhook is unavailable. The default.</summary>
    Fail = 0,

    /// <summary>The device gets PENDING and asks again at its next poll; nothing is spent.</summary>
    Pending,
}

/// <summary>
/// The challenge webhook (<see cref="WebhookChallengeValidator"/>): configuration section <c>Webhooks:Challenge</c>
/// in the sample host. See docs/webhooks.md.
/// </summary>
public sealed class WebhookChallengeOptions : WebhookEndpointOptions
{
    /// <summary>The longest reason an answer may give the device, in characters; longer ones are cut.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The aliases whose initial enrollments the webhook decides (at least one); it abstains on the others.</summary>
    public ISet<string> Aliases { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>What the device gets while the receiver is down. Bad answers and bad signatures always fail.</summary>
    public WebhookUnavailableBehavior WhenUnavailable { get; set; } = WebhookUnavailableBehavior.Fail;

    /// <summary>The most profile data entries an answer may carry. Default: 32.</summary>
    public int MaxProfileDataEntries { get; set; } = 32;

    /// <summary>The longest profile data key and value, in characters. Default: 1024.</summary>
    public int MaxProfileDataLength { get; set; } = 1024;

    /// <summary>Whether the challengePassword is sent to the receiver (it usually is what the receiver checks). Default: true.</summary>
    public bool SendChallenge { get; set; } = true;
}
