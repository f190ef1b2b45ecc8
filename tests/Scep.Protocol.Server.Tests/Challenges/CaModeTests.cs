using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Challenges;

/// <summary>Issue point 2: CA mode as EJBCA — CN is the username, challengePassword the one-time enrollment code.</summary>
public class CaModeTests
{
    [Test]
    public async Task PkcsReq_ForNewEntityWithRightCode_IssuesAndMarksEntityGenerated()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123", "CN=device-1,O=Example");
        var client = server.NewClient("CN=device-1", "code-123");

        var reply = await client.EnrollAsync();

        var issued = client.IssuedFrom(reply);
        issued.Subject.Should().Be("CN=device-1, O=Example", "the entity's DN is used");
        issued.Issuer.Should().Be(server.Ca.Certificate.Subject);
        (await server.Entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task PkcsReq_SecondUseOfTheSameCode_IsRefused()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        (await server.NewClient("CN=device-1", "code-123", keySlot: 10).EnrollAsync()).Status.Should().Be(PkiStatus.Success);

        var second = await server.NewClient("CN=device-1", "code-123", keySlot: 11).EnrollAsync();

        second.Status.Should().Be(PkiStatus.Failure);
        second.FailInfo.Should().Be(FailInfo.BadRequest);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [TestCase("device-1", "wrong-code", TestName = "PkcsReq_WrongPassword_FailsWithTheGenericReason")]
    [TestCase("nobody", "code-123", TestName = "PkcsReq_UnknownUser_FailsWithTheGenericReason")]
    public async Task PkcsReq_RefusedAuthorization_DoesNotRevealWhichCheckFailed(string username, string code)
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");

        var reply = await server.NewClient("CN=" + username, code).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal);
        server.Transactions.Transactions.Should().BeEmpty("a refused request writes nothing");
    }

    [Test]
    public async Task PkcsReq_EntityWithWrongStatus_FailsWithTheGenericReason()
    {
        using var server = ServerHarness.Create();
        var entity = server.Entities.Add("device-1", "code-123");
        await server.Entities.TryUpdateAsync(entity with { Status = EndEntityStatus.Generated }, entity.Version, default);

        var reply = await server.NewClient("CN=device-1", "code-123").EnrollAsync();

        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal);
    }

    [Test]
    public async Task FiftyConcurrentIdenticalRequests_WithOneCode_GiveExactlyOneCertificate()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var request = server.NewClient("CN=device-1", "code-123").PkcsReq();

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => server.SendAsync(request))));

        server.Authority.IssuedCertificates.Should().ContainSingle();
        replies.Should().OnlyContain(r => r.Status == PkiStatus.Success || r.Status == PkiStatus.Pending);
        replies.Count(r => r.Status == PkiStatus.Success).Should().BeGreaterThanOrEqualTo(1);
    }

    [Test]
    public async Task FiftyConcurrentDifferentRequests_WithOneCode_GiveExactlyOneCertificate()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var requests = Enumerable.Range(0, 50).Select(i => server.NewClient("CN=device-1", "code-123", keySlot: 100 + (i % 5)).PkcsReq()).ToList();

        var replies = await Task.WhenAll(requests.Select(r => Task.Run(() => server.SendAsync(r))));

        server.Authority.IssuedCertificates.Should().ContainSingle();
        replies.Count(r => r.Status == PkiStatus.Success).Should().Be(1);
        replies.Where(r => r.Status != PkiStatus.Success).Should().OnlyContain(r => r.FailInfo == FailInfo.BadRequest);
    }

    [Test]
    public async Task ReSentPkcsReq_AfterSuccess_ReturnsTheSameCertificate()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var first = client.IssuedFrom(await client.EnrollAsync());

        var again = client.IssuedFrom(await client.EnrollAsync());

        again.RawData.Should().Equal(first.RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }
}
