using System;
using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>The four answers of an <see cref="IChallengeValidator"/>.</summary>
public enum ChallengeOutcome
{
    /// <summary>The request is authorized (as far as this validator is concerned).</summary>
    Allow = 1,

    /// <summary>The request is refused: a signed FAILURE with the decision's failInfo and reason; nothing is spent.</summary>
    Deny,

    /// <summary>
    /// Not decided yet (an approval outside SCEP, a service that is down): the client gets PENDING and nothing is spent;
    /// its next CertPoll or re-sent request runs the validators again.
    /// </summary>
    Pending,

    /// <summary>Not this validator's request (another alias, another kind of device): the others decide.</summary>
    Abstain,
}

/// <summary>An <see cref="IChallengeValidator"/>'s decision. Immutable; made with <see cref="Allow"/>, <see cref="Deny(FailInfo, string)"/>, <see cref="Pending"/> or <see cref="Abstain"/>.</summary>
public sealed class ChallengeDecision
{
    private static readonly IReadOnlyDictionary<string, string> NoData = new Dictionary<string, string>(StringComparer.Ordinal);
    private static readonly ChallengeDecision AllowWithoutData = new(ChallengeOutcome.Allow, null, NoData);
    private static readonly ChallengeDecision PendingDecision = new(ChallengeOutcome.Pending, null, NoData);
    private static readonly ChallengeDecision AbstainDecision = new(ChallengeOutcome.Abstain, null, NoData);

    private ChallengeDecision(ChallengeOutcome outcome, ScepRefusal? refusal, IReadOnlyDictionary<string, string> profileData)
    {
        Outcome = outcome;
        Refusal = refusal;
        ProfileData = profileData;
    }

    /// <summary>The refusal text every validator gives for a challenge it does not accept.</summary>
    public const string InvalidChallengeReason = "The challenge password is not valid.";

    /// <summary>The outcome.</summary>
    public ChallengeOutcome Outcome { get; }

    /// <summary>For <see cref="ChallengeOutcome.Deny"/>: the failInfo, the reason sent to the client, and the category logged.</summary>
    public ScepRefusal? Refusal { get; }

    /// <summary>
    /// For <see cref="ChallengeOutcome.Allow"/>: data for the end entity (RA mode stores it on the entity it creates or
    /// updates, over the alias's <see cref="ScepAliasOptions.RaEntityDefaults"/>) and so for the authority. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProfileData { get; }

    /// <summary>Not this validator's request.</summary>
    public static ChallengeDecision Abstain => AbstainDecision;

    /// <summary>Not decided yet: the client gets PENDING, nothing is spent, and the next poll asks again.</summary>
    public static ChallengeDecision Pending => PendingDecision;

    /// <summary>The request is authorized.</summary>
    /// <param name="profileData">Data for the end entity and the authority, or null for none.</param>
    /// <returns>The decision.</returns>
    public static ChallengeDecision Allow(IReadOnlyDictionary<string, string>? profileData = null) =>
        profileData is null || profileData.Count == 0
            ? AllowWithoutData
            : new ChallengeDecision(ChallengeOutcome.Allow, null, new Dictionary<string, string>(profileData, StringComparer.Ordinal));

    /// <summary>The request is refused (category <see cref="RefusalCategory.ChallengeDenied"/>).</summary>
    /// <param name="failInfo">The failInfo (badRequest for a policy refusal).</param>
    /// <param name="reason">The failInfoText, shown to the client: never a secret.</param>
    /// <returns>The decision.</returns>
    public static ChallengeDecision Deny(FailInfo failInfo, string reason) => Deny(new ScepRefusal(failInfo, reason, RefusalCategory.ChallengeDenied));

    /// <summary>The request is refused with a refusal of any category.</summary>
    /// <param name="refusal">The refusal.</param>
    /// <returns>The decision.</returns>
    public static ChallengeDecision Deny(ScepRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new ChallengeDecision(ChallengeOutcome.Deny, refusal, NoData);
    }

    /// <summary>Allows when <paramref name="allowed"/>, otherwise denies with <see cref="InvalidChallengeReason"/>.</summary>
    /// <param name="allowed">The verdict of a yes/no check.</param>
    /// <returns>The decision.</returns>
    public static ChallengeDecision FromVerdict(bool allowed) =>
        allowed ? AllowWithoutData : Deny(FailInfo.BadRequest, InvalidChallengeReason);
}
