using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Operations;

/// <summary>Issue point 4: pending, CertPoll (GetCertInitial), and re-sent requests treated as polls.</summary>
public class PendingAndPollingTests
{
    private static ServerHarness PendingServer()
    {
        var server = ServerHarness.Create();
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-1", "code-1");
        return server;
    }

    [Test]
    public async Task PkcsReq_WhenAuthorityHoldsIt_AnswersPendingUntilApproved_ThenPollGetsTheCertificate()
    {
        using var server = PendingServer();
        var client = server.NewClient("CN=router-1", "code-1");

        (await client.EnrollAsync()).Status.Should().Be(PkiStatus.Pending);
        (await server.SendAsync(client.Poll(server.Ca.Certificate))).Status.Should().Be(PkiStatus.Pending);
        (await server.Entities.FindAsync("router-1", default))!.Status.Should().Be(EndEntityStatus.InProcess);

        var approved = server.Authority.Approve(server.Authority.PendingReferences.Single());
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        client.IssuedFrom(reply).RawData.Should().Equal(approved.RawData);
        (await server.Entities.FindAsync("router-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task CertPoll_AfterRejection_AnswersFailureWithTheReason()
    {
        using var server = PendingServer();
        var client = server.NewClient("CN=router-1", "code-1");
        await client.EnrollAsync();

        server.Authority.Reject(server.Authority.PendingReferences.Single(), "Not approved by the operator.");
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Be("Not approved by the operator.");
        (await server.Entities.FindAsync("router-1", default))!.Status.Should().Be(EndEntityStatus.New, "a rejected request gives the code back");
    }

    [Test]
    public async Task ReSentPkcsReq_WithTheSameTransactionId_IsAPollAndNeverASecondIssuance()
    {
        using var server = PendingServer();
        var client = server.NewClient("CN=router-1", "code-1");
        await client.EnrollAsync();
        (await client.EnrollAsync()).Status.Should().Be(PkiStatus.Pending);
        server.Authority.PendingReferences.Should().ContainSingle("the re-sent request did not create a second pending request");

        server.Authority.Approve(server.Authority.PendingReferences.Single());
        var first = client.IssuedFrom(await client.EnrollAsync());
        var second = client.IssuedFrom(await client.EnrollAsync());

        second.RawData.Should().Equal(first.RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task CertPoll_FromAnotherKeyWithTheSameTransactionId_IsRefused()
    {
        using var server = PendingServer();
        var client = server.NewClient("CN=router-1", "code-1", keySlot: 10);
        await client.EnrollAsync();
        var intruder = server.NewClient("CN=router-1", null, keySlot: 11, transactionId: client.Parameters.TransactionId);

        var reply = await server.SendAsync(intruder.Poll(server.Ca.Certificate));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task CertPoll_ForAnUnknownTransactionId_IsRefused()
    {
        using var server = PendingServer();
        var client = server.NewClient("CN=router-1", "code-1");

        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task PkcsReq_OnAliasWithoutPending_IsRefusedWhenTheAuthorityWouldHoldIt()
    {
        using var server = ServerHarness.Create(o => o.Aliases["scep"].AllowPending = false);
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-1", "code-1");

        var reply = await server.NewClient("CN=router-1", "code-1").EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        (await server.Entities.FindAsync("router-1", default))!.Status.Should().Be(EndEntityStatus.New);
    }
}
