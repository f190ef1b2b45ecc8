using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Challenges;

/// <summary>
/// Challenge validators decide (allow, deny with failInfo and reason, pending, abstain), compose, and run after the
/// alias's built-in validator; a denial spends nothing, a PENDING keeps the request and asks again at the next poll.
/// </summary>
public class ChallengeValidatorTests
{
    private static IChallengeValidator Fixed(ChallengeDecision decision, List<string>? calls = null, string name = "") =>
        ChallengeValidators.FromFunction((_, _) =>
        {
            calls?.Add(name);
            return ValueTask.FromResult(decision);
        });

    private static ChallengeValidationContext Context() => new()
    {
        Alias = "ra",
        ChallengePassword = "x",
        CertificationRequest = Scep.Protocol.Tests.Infrastructure.Scenario.Csr("CN=a", Scep.Protocol.Tests.Infrastructure.TestPki.CachedRsa(1), "x"),
        Request = Scep.Protocol.Tests.Infrastructure.Scenario.PkcsReq(Scep.Protocol.Tests.Infrastructure.TestPki.Ca).Request,
    };

    [Test]
    public async Task AllOf_FirstDenialIsTheAnswer_AndLaterValidatorsAreNotAsked()
    {
        var calls = new List<string>();
        var composed = ChallengeValidators.AllOf(
            Fixed(ChallengeDecision.Allow(), calls, "a"),
            Fixed(ChallengeDecision.Deny(FailInfo.BadRequest, "no"), calls, "b"),
            Fixed(ChallengeDecision.Allow(), calls, "c"));

        var decision = await composed.ValidateAsync(Context(), default);

        decision.Outcome.Should().Be(ChallengeOutcome.Deny);
        decision.Refusal!.Reason.Should().Be("no");
        calls.Should().Equal("a", "b");
    }

    [Test]
    public async Task AllOf_AllowsWhenOneAllowsAndTheRestAbstain_MergingTheirProfileData()
    {
        var composed = ChallengeValidators.AllOf(
            Fixed(ChallengeDecision.Abstain),
            Fixed(ChallengeDecision.Allow(new Dictionary<string, string> { ["profile"] = "a", ["keep"] = "1" })),
            Fixed(ChallengeDecision.Allow(new Dictionary<string, string> { ["profile"] = "b" })));

        var decision = await composed.ValidateAsync(Context(), default);

        decision.Outcome.Should().Be(ChallengeOutcome.Allow);
        decision.ProfileData.Should().BeEquivalentTo(new Dictionary<string, string> { ["profile"] = "b", ["keep"] = "1" });
    }

    [Test]
    public async Task AllOf_AllAbstaining_Abstains_AndPendingStopsIt()
    {
        (await ChallengeValidators.AllOf(Fixed(ChallengeDecision.Abstain), Fixed(ChallengeDecision.Abstain)).ValidateAsync(Context(), default))
            .Outcome.Should().Be(ChallengeOutcome.Abstain);
        (await ChallengeValidators.AllOf(Fixed(ChallengeDecision.Pending), Fixed(ChallengeDecision.Deny(FailInfo.BadRequest, "no"))).ValidateAsync(Context(), default))
            .Outcome.Should().Be(ChallengeOutcome.Pending);
    }

    [Test]
    public async Task AnyOf_FirstAllowWins_ElsePending_ElseFirstDenial()
    {
        var deny1 = ChallengeDecision.Deny(FailInfo.BadRequest, "first");
        var deny2 = ChallengeDecision.Deny(FailInfo.BadAlg, "second");

        (await ChallengeValidators.AnyOf(Fixed(deny1), Fixed(ChallengeDecision.Allow())).ValidateAsync(Context(), default)).Outcome.Should().Be(ChallengeOutcome.Allow);
        (await ChallengeValidators.AnyOf(Fixed(deny1), Fixed(ChallengeDecision.Pending)).ValidateAsync(Context(), default)).Outcome.Should().Be(ChallengeOutcome.Pending);
        (await ChallengeValidators.AnyOf(Fixed(deny1), Fixed(deny2)).ValidateAsync(Context(), default)).Refusal!.Reason.Should().Be("first");
        (await ChallengeValidators.AnyOf(Fixed(ChallengeDecision.Abstain)).ValidateAsync(Context(), default)).Outcome.Should().Be(ChallengeOutcome.Abstain);
    }

    [Test]
    public async Task StaticSecret_ComparesTheWholeSecret()
    {
        var validator = ChallengeValidators.StaticSecret("s3cret");
        ChallengeValidationContext With(string? challenge) => new()
        {
            Alias = "ra",
            ChallengePassword = challenge,
            CertificationRequest = Context().CertificationRequest,
            Request = Context().Request,
        };

        (await validator.ValidateAsync(With("s3cret"), default)).Outcome.Should().Be(ChallengeOutcome.Allow);
        (await validator.ValidateAsync(With("s3cre"), default)).Outcome.Should().Be(ChallengeOutcome.Deny);
        (await validator.ValidateAsync(With("s3cret "), default)).Outcome.Should().Be(ChallengeOutcome.Deny);
        (await validator.ValidateAsync(With(null), default)).Outcome.Should().Be(ChallengeOutcome.Deny);
    }

    [Test]
    public async Task HostValidator_DenyingWithItsOwnFailInfoAndReason_ReachesTheClientAndSpendsNothing()
    {
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator((context, _) =>
            ValueTask.FromResult(context.CertificationRequest.CommonName == "blocked"
                ? ChallengeDecision.Deny(FailInfo.BadCertId, "This device is retired in the MDM.")
                : ChallengeDecision.Abstain)));
        server.Entities.Add("blocked", "code-1");

        var reply = await server.NewClient("CN=blocked", "code-1", keySlot: 110).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadCertId);
        reply.FailInfoText.Should().Be("This device is retired in the MDM.");
        (await server.Entities.FindAsync("blocked", default))!.Status.Should().Be(EndEntityStatus.New, "the code is not spent");
        server.Transactions.Transactions.Should().BeEmpty("nothing is written for a denial");
    }

    [Test]
    public async Task HostValidator_InCaMode_RunsAfterTheCodeCheckAndSeesTheEntity()
    {
        var seen = new List<(string? User, string? Code)>();
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator((context, _) =>
        {
            seen.Add((context.EndEntity?.Username, context.ChallengePassword));
            return ValueTask.FromResult(ChallengeDecision.Allow());
        }));
        server.Entities.Add("router-1", "code-1");

        var wrong = await server.NewClient("CN=router-1", "wrong", keySlot: 111).EnrollAsync();
        var right = await server.NewClient("CN=router-1", "code-1", keySlot: 112).EnrollAsync();

        wrong.Status.Should().Be(PkiStatus.Failure);
        right.Status.Should().Be(PkiStatus.Success, right.FailInfoText);
        seen.Should().Equal([("router-1", "code-1")], "a wrong code is refused by the built-in validator before the host's is asked");
    }

    [Test]
    public async Task RaAlias_WithASecretAndAHostValidator_NeedsBoth()
    {
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator((context, _) =>
            ValueTask.FromResult(context.CertificationRequest.CommonName == "allowed-device")));

        var both = await server.NewClient("CN=allowed-device", "ra-secret", keySlot: 113).EnrollAsync("ra");
        var secretOnly = await server.NewClient("CN=other-device", "ra-secret", keySlot: 114).EnrollAsync("ra");
        var hostOnly = await server.NewClient("CN=allowed-device", "wrong", keySlot: 115).EnrollAsync("ra");

        both.Status.Should().Be(PkiStatus.Success, both.FailInfoText);
        secretOnly.Status.Should().Be(PkiStatus.Failure);
        hostOnly.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task RaAlias_WhereEveryValidatorAbstains_IsRefused()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RaChallenge = null, b => b.AddChallengeValidator((_, _) => ValueTask.FromResult(ChallengeDecision.Abstain)));

        var reply = await server.NewClient("CN=device-1", "anything", keySlot: 116).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(ChallengeDecision.InvalidChallengeReason);
    }

    [Test]
    public async Task AllowWithProfileData_IsStoredOnTheRaEntityOverTheAliasDefaults()
    {
        using var server = ServerHarness.Create(
            o => o.Aliases["ra"].RaEntityDefaults["profile"] = "default",
            b => b.AddChallengeValidator((_, _) => ValueTask.FromResult(ChallengeDecision.Allow(new Dictionary<string, string> { ["profile"] = "mdm-laptops", ["mdm.device"] = "42" }))));

        var reply = await server.NewClient("CN=laptop-42", "ra-secret", keySlot: 117).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        (await server.Entities.FindAsync("laptop-42", default))!.ProfileData.Should().BeEquivalentTo(new Dictionary<string, string> { ["profile"] = "mdm-laptops", ["mdm.device"] = "42" });
    }

    [Test]
    public async Task Pending_KeepsTheRequestSpendsNothing_AndThePollAsksAgainAndIssues()
    {
        var verdict = ChallengeDecision.Pending;
        var asked = 0;
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator((_, _) =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult(verdict);
        }));
        server.Entities.Add("router-2", "code-2");
        var client = server.NewClient("CN=router-2", "code-2", keySlot: 118);

        var first = await client.EnrollAsync();
        var stillPending = await server.SendAsync(client.Poll(server.Ca.Certificate));
        var entityWhilePending = await server.Entities.FindAsync("router-2", default);
        verdict = ChallengeDecision.Allow();
        var issued = await server.SendAsync(client.Poll(server.Ca.Certificate));

        first.Status.Should().Be(PkiStatus.Pending);
        stillPending.Status.Should().Be(PkiStatus.Pending);
        entityWhilePending!.Status.Should().Be(EndEntityStatus.New, "nothing is spent while the validator has not decided");
        client.IssuedFrom(issued).Subject.Should().Contain("router-2");
        asked.Should().Be(3, "the request and each poll are validated");
        (await server.Entities.FindAsync("router-2", default))!.Status.Should().Be(EndEntityStatus.Generated);
        server.Transactions.Transactions.Single().PendingRequest.Should().BeNull("the kept request is dropped once decided");
    }

    [Test]
    public async Task Pending_ThenDeniedAtThePoll_IsAFailureThatLaterPollsRepeat()
    {
        var verdict = ChallengeDecision.Pending;
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RaChallenge = null, b => b.AddChallengeValidator((_, _) => ValueTask.FromResult(verdict)));
        var client = server.NewClient("CN=device-3", "mdm-challenge", keySlot: 119);
        (await client.EnrollAsync("ra")).Status.Should().Be(PkiStatus.Pending);
        verdict = ChallengeDecision.Deny(FailInfo.BadRequest, "The MDM does not know this device.");

        var denied = await server.SendAsync(client.Poll(server.Ca.Certificate), "ra");
        verdict = ChallengeDecision.Allow();
        var again = await server.SendAsync(client.Poll(server.Ca.Certificate), "ra");

        denied.FailInfoText.Should().Be("The MDM does not know this device.");
        again.Status.Should().Be(PkiStatus.Failure, "the refusal is on record");
        again.FailInfoText.Should().Be("The MDM does not know this device.");
        (await server.Entities.FindAsync("device-3", default)).Should().BeNull("nothing was created");
    }

    [Test]
    public async Task Pending_ThenTheSameRequestReSent_IsValidatedAgain()
    {
        var verdict = ChallengeDecision.Pending;
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator((_, _) => ValueTask.FromResult(verdict)));
        server.Entities.Add("router-4", "code-4");
        var client = server.NewClient("CN=router-4", "code-4", keySlot: 120);
        (await client.EnrollAsync()).Status.Should().Be(PkiStatus.Pending);
        verdict = ChallengeDecision.Allow();

        var resent = await client.EnrollAsync();

        resent.Status.Should().Be(PkiStatus.Success, resent.FailInfoText);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task AddChallengeValidatorOfAType_Twice_RunsItOnce()
    {
        CountingValidator.Calls = 0;
        using var server = ServerHarness.Create(build: b => b.AddChallengeValidator<CountingValidator>().AddChallengeValidator<CountingValidator>());

        await server.NewClient("CN=device-5", "ra-secret", keySlot: 121).EnrollAsync("ra");

        CountingValidator.Calls.Should().Be(1);
    }

    private sealed class CountingValidator : IChallengeValidator
    {
        public static int Calls;

        public ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(ChallengeDecision.Abstain);
        }
    }
}
