using System;

namespace Scep.Protocol.Server;

/// <summary>
/// An expected refusal, as a value: the failInfo and failInfoText the client gets in a signed FAILURE
/// (RFC 8894 §3.3.2.2), and the category the server logs and observers see. The rule that decides a refusal
/// returns one; nothing throws for it.
/// </summary>
public sealed record ScepRefusal
{
    /// <summary>Creates a refusal.</summary>
    /// <param name="failInfo">The failInfo of the FAILURE reply.</param>
    /// <param name="reason">The failInfoText: shown to the client, so never a secret.</param>
    /// <param name="category">Why, for logs and observers; may say more than <paramref name="reason"/> (CA mode gives one reason for every failed code check).</param>
    public ScepRefusal(FailInfo failInfo, string reason, RefusalCategory category)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        FailInfo = failInfo;
        Reason = reason;
        Category = category;
    }

    /// <summary>The failInfo of the FAILURE reply.</summary>
    public FailInfo FailInfo { get; }

    /// <summary>The failInfoText sent to the client.</summary>
    public string Reason { get; }

    /// <summary>Why the request was refused, for the operator.</summary>
    public RefusalCategory Category { get; }
}
