using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Upstream.Tests;

/// <summary>
/// What the RA accepts from the CA that pulls (UpstreamQueue): only a certificate the pinned CA signed for the key of
/// the queued request, once; the same certificate again changes nothing; a refusal reaches the device with its reason.
/// </summary>
public class UpstreamQueueTests
{
    private static readonly TestCredential UpstreamCa = TestPki.CreateCa("CN=Upstream CA");

    [Test]
    public async Task CertificateTheCaIssuedForTheRequestsKey_IsRecorded_AndTheSameAgainChangesNothing()
    {
        var (queue, store, request) = await QueuedAsync();
        var issued = TestPki.Issue(UpstreamCa, "CN=device-1", TestPki.CachedRsa(31));

        var first = await queue.DeliverAsync(request.Id, issued.Certificate.RawData, default);
        var again = await queue.DeliverAsync(request.Id, issued.Certificate.RawData, default);

        first.Should().Be(UpstreamDelivery.Recorded);
        again.Should().Be(UpstreamDelivery.AlreadyRecorded);
        (await store.FindPendingAsync(request.Id, default))!.CertificateSerial.Should().Be(issued.Certificate.SerialNumber);
        (await queue.DecisionAsync(request.Id, default)).CertificateRawData.ToArray().Should().Equal(issued.Certificate.RawData);
    }

    [Test]
    public async Task CertificateForAnotherKey_IsRefused_AndTheRequestStaysQueued()
    {
        var (queue, store, request) = await QueuedAsync();
        var other = TestPki.Issue(UpstreamCa, "CN=device-1", TestPki.CachedRsa(32));

        var result = await queue.DeliverAsync(request.Id, other.Certificate.RawData, default);

        result.Should().Be(UpstreamDelivery.Invalid);
        (await store.FindPendingAsync(request.Id, default))!.State.Should().Be(ApprovalState.Pending);
    }

    [Test]
    public async Task CertificateAnotherCaSignedWithTheUpstreamsName_IsRefused()
    {
        var (queue, store, request) = await QueuedAsync();
        var impostor = TestPki.CreateCa("CN=Upstream CA", TestPki.CachedRsa(33));
        var forged = TestPki.Issue(impostor, "CN=device-1", TestPki.CachedRsa(31));

        var result = await queue.DeliverAsync(request.Id, forged.Certificate.RawData, default);

        result.Should().Be(UpstreamDelivery.Invalid);
        (await store.FindPendingAsync(request.Id, default))!.State.Should().Be(ApprovalState.Pending);
    }

    [Test]
    public async Task Garbage_IsRefused_AndAnUnknownIdIsNotQueued()
    {
        var (queue, _, request) = await QueuedAsync();

        (await queue.DeliverAsync(request.Id, new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, default)).Should().Be(UpstreamDelivery.Invalid);
        (await queue.DeliverAsync("NOPE", TestPki.Issue(UpstreamCa, "CN=device-1", TestPki.CachedRsa(31)).Certificate.RawData, default)).Should().Be(UpstreamDelivery.NotQueued);
    }

    [Test]
    public async Task SecondCertificateAfterTheFirst_IsAlreadyDecided_AndTheFirstStays()
    {
        var (queue, store, request) = await QueuedAsync();
        var first = TestPki.Issue(UpstreamCa, "CN=device-1", TestPki.CachedRsa(31));
        var second = TestPki.Issue(UpstreamCa, "CN=device-1", TestPki.CachedRsa(31));
        await queue.DeliverAsync(request.Id, first.Certificate.RawData, default);

        var result = await queue.DeliverAsync(request.Id, second.Certificate.RawData, default);

        result.Should().Be(UpstreamDelivery.AlreadyDecided);
        (await store.FindPendingAsync(request.Id, default))!.CertificateSerial.Should().Be(first.Certificate.SerialNumber);
    }

    [Test]
    public async Task Refusal_ReachesTheDeviceWithItsReason_AndOnlyOnce()
    {
        var (queue, _, request) = await QueuedAsync();

        var refused = await queue.RefuseAsync(request.Id, "not in the inventory", default);
        var again = await queue.RefuseAsync(request.Id, "twice", default);
        var decision = await queue.DecisionAsync(request.Id, default);

        refused.Should().BeTrue();
        again.Should().BeFalse();
        decision.Outcome.Should().Be(EnrollmentOutcome.Rejected);
        decision.Reason.Should().Contain("not in the inventory");
    }

    [Test]
    public async Task List_HoldsOnlyTheUpstreamsWaitingRequests()
    {
        var (queue, store, request) = await QueuedAsync();
        await store.AddPendingAsync(request with { Id = "LOCAL1", CaName = "default" }, default);

        var listed = await queue.ListAsync(10, default);

        listed.Should().ContainSingle().Which.Id.Should().Be(request.Id);
    }

    [TestCase(FailInfo.BadAlg)]
    [TestCase(FailInfo.BadCertId)]
    public void UpstreamRefusalReason_KeepsTheUpstreamsFailInfo(FailInfo failInfo) =>
        UpstreamRefusal.FailInfoOf(UpstreamRefusal.Format(failInfo, "the upstream's words")).Should().Be(failInfo);

    [Test]
    public void RetrySchedule_DoublesTheWaitUpToTheMaximum_AndPollsPendingRequestsAtTheirInterval()
    {
        var options = new UpstreamCaOptions { RetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(12), PollInterval = TimeSpan.FromSeconds(30) };
        var schedule = new RetrySchedule(options);
        var now = DateTimeOffset.UnixEpoch;

        schedule.IsDue("a", now).Should().BeTrue("a request not seen yet is due");
        schedule.Unreachable("a", now);
        schedule.IsDue("a", now + TimeSpan.FromSeconds(4)).Should().BeFalse();
        schedule.Unreachable("a", now);
        schedule.IsDue("a", now + TimeSpan.FromSeconds(9)).Should().BeFalse("the second wait is 10 s");
        schedule.IsDue("a", now + TimeSpan.FromSeconds(10)).Should().BeTrue();
        schedule.Unreachable("a", now);
        schedule.IsDue("a", now + TimeSpan.FromSeconds(12)).Should().BeTrue("the wait stops at the maximum");
        schedule.PendingUpstream("a", now);
        schedule.IsPendingUpstream("a").Should().BeTrue();
        schedule.IsDue("a", now + TimeSpan.FromSeconds(29)).Should().BeFalse();
    }

    private static async Task<(UpstreamQueue Queue, InMemoryCertificateStore Store, PendingApproval Request)> QueuedAsync()
    {
        var store = new InMemoryCertificateStore();
        var queue = new UpstreamQueue(store, Options.Create(new UpstreamCaOptions { Mode = UpstreamMode.Pull, CaCertificate = UpstreamCa.Certificate }), new FakeTimeProvider(DateTimeOffset.UtcNow));
        var csr = Scenario.Csr("CN=device-1", TestPki.CachedRsa(31));
        var request = new PendingApproval(
            "Q" + Guid.NewGuid().ToString("N")[..15].ToUpperInvariant(), "edge", ScepCaCredentials.IdOf(UpstreamCa.Certificate), "tx-1", "device-1",
            csr.Subject.Name, csr.Subject.RawData, csr.RawData.ToArray(), DateTimeOffset.UtcNow, ApprovalState.Pending, CaName: "upstream");
        await store.AddPendingAsync(request, default);
        return (queue, store, request);
    }
}
