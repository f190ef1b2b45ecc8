using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Testing;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Refusals;

/// <summary>
/// Every refusal is logged with why (its <see cref="RefusalCategory"/>), while the client of a CA-mode alias gets one
/// reason for all of them, and no log line holds the code that was sent.
/// </summary>
public class RefusalCategoryLogTests
{
    private static string? State(FakeLogRecord record, string key) => record.StructuredState?.FirstOrDefault(p => p.Key == key).Value;

    private static FakeLogRecord RefusalLine(ServerHarness server, string transactionId) =>
        server.Logs.GetSnapshot().Single(r => r.Id.Id == 1 && State(r, "TransactionId") == transactionId);

    private static async Task<(PkiMessage Reply, FakeLogRecord Line)> EnrollAsync(ServerHarness server, string subject, string code, int keySlot, string alias = "scep")
    {
        var transactionId = "tid-" + Guid.NewGuid().ToString("N");
        var reply = await server.NewClient(subject, code, keySlot, transactionId: transactionId).EnrollAsync(alias);
        return (reply, RefusalLine(server, transactionId));
    }

    [Test]
    public async Task CaModeRefusals_EachLoggedWithItsCategory_ButOneReasonForTheClient()
    {
        using var server = ServerHarness.Create(o => o.MaxFailedCodeAttempts = 2);
        server.Entities.Add("wrong-code", "code-a");
        server.Entities.Add("expired", "code-b", codeExpiresAt: server.Now.AddMinutes(-1));
        server.Entities.Add("other-alias", "code-c", alias: "ra");
        server.Entities.Add("locked", "code-d");
        await server.IssueAsync("spent", 100);
        server.Entities.Add("revoked", "code-e");
        var revoked = (await server.Entities.FindAsync("revoked", default))!;
        await server.Entities.TryUpdateAsync(revoked with { Status = EndEntityStatus.Revoked, Version = revoked.Version + 1 }, revoked.Version, default);

        var cases = new (string Subject, string Code, RefusalCategory Expected)[]
        {
            ("CN=nobody", "code-x", RefusalCategory.UnknownEntity),
            ("CN=wrong-code", "not-it", RefusalCategory.WrongCode),
            ("CN=expired", "code-b", RefusalCategory.CodeExpired),
            ("CN=other-alias", "code-c", RefusalCategory.WrongAlias),
            ("CN=spent", "code-spent", RefusalCategory.CodeAlreadyUsed),
            ("CN=revoked", "code-e", RefusalCategory.StatusNotNew),
            ("CN=locked", "bad-1", RefusalCategory.WrongCode),
            ("CN=locked", "bad-2", RefusalCategory.LockedOut),
            ("CN=locked", "code-d", RefusalCategory.LockedOut),
        };

        foreach (var (subject, code, expected) in cases)
        {
            var (reply, line) = await EnrollAsync(server, subject, code, 101);
            reply.Status.Should().Be(PkiStatus.Failure, subject);
            reply.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal, subject);
            State(line, "Category").Should().Be(expected.ToString(), subject);
            line.Message.Should().Contain($"refused ({expected})").And.NotContain(code, "the code sent is never logged");
        }
    }

    [Test]
    public async Task RenewalPolicyAndAlgorithmRefusals_AreLoggedAsSuch()
    {
        using var server = ServerHarness.Create();
        var old = await server.IssueAsync("renew-me", 102);
        var csr = Scenario.Csr("CN=renew-me", TestPki.CachedRsa(103), challenge: null);
        var renewal = PkiMessage.CreateRenewalReq(csr, server.Parameters(old, transactionId: "tid-renewal"));

        var reply = await server.SendAsync(renewal);

        reply.Status.Should().Be(PkiStatus.Failure);
        State(RefusalLine(server, "tid-renewal"), "Category").Should().Be(nameof(RefusalCategory.RenewalPolicy), "renewal is off on this alias");
    }

    [Test]
    public async Task RaChallengeRefusal_IsLoggedAsChallengeDenied()
    {
        using var server = ServerHarness.Create();

        var (reply, line) = await EnrollAsync(server, "CN=device-1", "not-the-secret", 104, alias: "ra");

        reply.FailInfoText.Should().Be(ChallengeDecision.InvalidChallengeReason);
        State(line, "Category").Should().Be(nameof(RefusalCategory.ChallengeDenied));
    }

    [Test]
    public async Task ASuccess_IsLoggedWithoutACategory()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("fine", "code-f");

        var (reply, line) = await EnrollAsync(server, "CN=fine", "code-f", 105);

        reply.Status.Should().Be(PkiStatus.Success);
        State(line, "Category").Should().BeNull();
        line.Message.Should().NotContain("refused");
    }
}
