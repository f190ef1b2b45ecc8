using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>
/// A request that awaits approval holds its end entity's one-time code for as long as it is pending: the
/// stale-reservation timeout (meant for requests whose process died) must not release it.
/// </summary>
public class PendingReservationTests
{
    [Test]
    public async Task PkcsReq_WithTheCodeOfARequestPendingLongerThanTheStaleTimeout_IsRefused()
    {
        using var server = ServerHarness.Create();
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-7", "code-7");
        (await server.NewClient("CN=router-7", "code-7", keySlot: 40).EnrollAsync()).Status.Should().Be(PkiStatus.Pending);

        server.Advance(TimeSpan.FromMinutes(6)); // past the default StaleReservationTimeout of 5 minutes
        var second = await server.NewClient("CN=router-7", "code-7", keySlot: 41).EnrollAsync();

        second.Status.Should().Be(PkiStatus.Failure);
        second.FailInfoText.Should().Be(EnrollmentCodeValidator.Refusal);
        server.Authority.PendingReferences.Should().ContainSingle("one code, one request");
    }

    [Test]
    public async Task PendingRequest_ApprovedAfterTheStaleTimeout_IsDeliveredAndTheHostsProfileDataIsNeverTouched()
    {
        using var server = ServerHarness.Create();
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-8", "code-8");
        var client = server.NewClient("CN=router-8", "code-8", keySlot: 42);
        await client.EnrollAsync();
        (await server.Entities.FindAsync("router-8", default))!.ProfileData.Should().BeEmpty("the approval marker is the transaction record's");
        server.Transactions.Transactions.Should().ContainSingle(t => t.Username == "router-8" && t.AwaitsApproval && t.PendingKind == ScepPendingKind.Approval);
        (await server.Transactions.FindAwaitingApprovalAsync("router-8", default)).Should().NotBeNull();

        server.Advance(TimeSpan.FromMinutes(30));
        var approved = server.Authority.Approve(server.Authority.PendingReferences.Single());
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        client.IssuedFrom(reply).RawData.Should().Equal(approved.RawData);
        var entity = (await server.Entities.FindAsync("router-8", default))!;
        entity.Status.Should().Be(EndEntityStatus.Generated);
        entity.ProfileData.Should().BeEmpty();
        (await server.Transactions.FindAwaitingApprovalAsync("router-8", default)).Should().BeNull("the transaction is issued now");
    }

    [Test]
    public async Task ReservationOfADeadProcess_StillGoesStaleAndAllowsARetry()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("router-9", "code-9");
        var stuck = server.Entities.Entities.Single(e => e.Username == "router-9");
        (await server.Entities.TryUpdateAsync(stuck with { Status = EndEntityStatus.InProcess, StatusChangedAt = server.Now }, stuck.Version, default)).Should().BeTrue();

        server.Advance(TimeSpan.FromMinutes(6));
        var reply = await server.NewClient("CN=router-9", "code-9", keySlot: 43).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
    }
}
