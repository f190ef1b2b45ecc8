using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Challenges;

/// <summary>
/// CA mode's enrollment-code policy as in EJBCA: wrong codes are counted and lock the entity (status FAILED) at
/// <see cref="ScepServerOptions.MaxFailedCodeAttempts"/>, counted exactly also under concurrent wrong attempts; an
/// expired code is refused and not spent; <see cref="EndEntityStoreExtensions.ResetAsync"/> lifts a lockout; the client
/// sees one and the same reason throughout.
/// </summary>
public class EnrollmentCodePolicyTests
{
    private static ServerHarness Server(int maxFailedAttempts) => ServerHarness.Create(o => o.MaxFailedCodeAttempts = maxFailedAttempts);

    private static async Task<EndEntity> EntityAsync(ServerHarness server, string username) => (await server.Entities.FindAsync(username, default))!;

    [Test]
    public async Task WrongCodes_UpToTheLimit_LockTheEntityAndThenTheRightCodeIsRefusedToo()
    {
        using var server = Server(3);
        server.Entities.Add("router-1", "right-code");
        for (var i = 0; i < 3; i++)
        {
            var wrong = await server.NewClient("CN=router-1", "wrong-" + i, keySlot: 60 + i).EnrollAsync();
            wrong.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal);
        }

        var right = await server.NewClient("CN=router-1", "right-code", keySlot: 63).EnrollAsync();

        right.Status.Should().Be(PkiStatus.Failure);
        right.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal, "a locked entity gets the same reason as a wrong code");
        var entity = await EntityAsync(server, "router-1");
        entity.Status.Should().Be(EndEntityStatus.Failed);
        entity.FailedCodeAttempts.Should().Be(3);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [TestCase(10, 10, EndEntityStatus.Failed)]
    [TestCase(100, 50, EndEntityStatus.New)]
    public async Task ConcurrentWrongCodes_AreCountedExactly(int limit, int expectedCount, EndEntityStatus expectedStatus)
    {
        using var server = Server(limit);
        server.Entities.Add("router-2", "right-code");
        var requests = Enumerable.Range(0, 50).Select(i => server.NewClient("CN=router-2", "wrong-" + i, keySlot: 70 + (i % 8)).PkcsReq()).ToList();

        var replies = await Task.WhenAll(requests.Select(r => Task.Run(() => server.SendAsync(r))));

        replies.Should().OnlyContain(r => r.Status == PkiStatus.Failure);
        var entity = await EntityAsync(server, "router-2");
        entity.FailedCodeAttempts.Should().Be(expectedCount);
        entity.Status.Should().Be(expectedStatus);
    }

    [Test]
    public async Task RightCode_AfterSomeWrongOnes_EnrollsAndClearsTheCount()
    {
        using var server = Server(3);
        server.Entities.Add("router-3", "right-code");
        await server.NewClient("CN=router-3", "wrong-1", keySlot: 80).EnrollAsync();
        await server.NewClient("CN=router-3", "wrong-2", keySlot: 81).EnrollAsync();
        (await EntityAsync(server, "router-3")).FailedCodeAttempts.Should().Be(2);

        var reply = await server.NewClient("CN=router-3", "right-code", keySlot: 82).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var entity = await EntityAsync(server, "router-3");
        entity.Status.Should().Be(EndEntityStatus.Generated);
        entity.FailedCodeAttempts.Should().Be(0);
    }

    [Test]
    public async Task MaxFailedCodeAttempts_Zero_NeverLocks()
    {
        using var server = Server(0);
        server.Entities.Add("router-4", "right-code");
        for (var i = 0; i < 12; i++)
        {
            await server.NewClient("CN=router-4", "wrong-" + i, keySlot: 83).EnrollAsync();
        }

        var reply = await server.NewClient("CN=router-4", "right-code", keySlot: 84).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
    }

    [Test]
    public async Task WrongCodes_ForAnEntityWhoseCodeIsSpent_AreNotCounted_SoItsRenewalsKeepWorking()
    {
        using var server = Server(2);
        await server.IssueAsync("router-5", 85);
        for (var i = 0; i < 4; i++)
        {
            await server.NewClient("CN=router-5", "guess-" + i, keySlot: 86).EnrollAsync();
        }

        var entity = await EntityAsync(server, "router-5");

        entity.Status.Should().Be(EndEntityStatus.Generated);
        entity.FailedCodeAttempts.Should().Be(0);
    }

    [Test]
    public async Task ExpiredCode_IsRefusedAndNotSpent()
    {
        using var server = Server(10);
        server.Entities.Add("router-6", "right-code", codeExpiresAt: server.Now.AddHours(1));
        server.Advance(TimeSpan.FromHours(2));

        var reply = await server.NewClient("CN=router-6", "right-code", keySlot: 87).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal);
        var entity = await EntityAsync(server, "router-6");
        entity.Status.Should().Be(EndEntityStatus.New);
        entity.FailedCodeAttempts.Should().Be(0, "the code was right, only late");
    }

    [Test]
    public async Task CodeBeforeItsExpiry_Enrolls()
    {
        using var server = Server(10);
        server.Entities.Add("router-7", "right-code", codeExpiresAt: server.Now.AddHours(1));
        server.Advance(TimeSpan.FromMinutes(59));

        var reply = await server.NewClient("CN=router-7", "right-code", keySlot: 88).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
    }

    [Test]
    public async Task ResetAsync_OfALockedEntity_LetsItsCodeEnrollAgain()
    {
        using var server = Server(1);
        server.Entities.Add("router-8", "right-code");
        await server.NewClient("CN=router-8", "wrong", keySlot: 89).EnrollAsync();
        (await EntityAsync(server, "router-8")).Status.Should().Be(EndEntityStatus.Failed);

        var reset = await server.Entities.ResetAsync("router-8", server.Now);
        var reply = await server.NewClient("CN=router-8", "right-code", keySlot: 90).EnrollAsync();

        reset!.Status.Should().Be(EndEntityStatus.New);
        reset.FailedCodeAttempts.Should().Be(0);
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
    }

    [Test]
    public async Task ResetAsync_WithANewCodeAndExpiry_ReplacesTheCode()
    {
        using var server = Server(10);
        await server.IssueAsync("router-9", 91);

        await server.Entities.ResetAsync("router-9", server.Now, newEnrollmentCode: "second-code", codeExpiresAt: server.Now.AddMinutes(60));
        var oldCode = await server.NewClient("CN=router-9", "code-router-9", keySlot: 92).EnrollAsync();
        var newCode = await server.NewClient("CN=router-9", "second-code", keySlot: 93).EnrollAsync();

        oldCode.Status.Should().Be(PkiStatus.Failure);
        newCode.Status.Should().Be(PkiStatus.Success, newCode.FailInfoText);
        (await EntityAsync(server, "router-9")).EnrollmentCodeExpiresAt.Should().Be(ServerHarness.Start.AddMinutes(60));
    }

    [Test]
    public async Task ResetAsync_OfAnUnknownUser_ReturnsNull()
    {
        using var server = Server(10);

        (await server.Entities.ResetAsync("nobody", server.Now)).Should().BeNull();
    }

    [Test]
    public void Validate_NegativeMaxFailedCodeAttempts_FailsStartUp()
    {
        var create = () => Server(-1).Handler;

        create.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Scep:MaxFailedCodeAttempts*");
    }
}
