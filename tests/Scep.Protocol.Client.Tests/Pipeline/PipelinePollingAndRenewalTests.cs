using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// Issue 5: pending requests polled until the authority decides (the decision is made from the poll's progress
/// report, the back-off runs on the shared fake clock, so nothing sleeps), and renewal after half the validity.
/// </summary>
public class PipelinePollingAndRenewalTests
{
    private static readonly PollingOptions Schedule = new()
    {
        InitialInterval = TimeSpan.FromSeconds(10),
        BackoffMultiplier = 2,
        MaxInterval = TimeSpan.FromSeconds(30),
        Timeout = TimeSpan.FromMinutes(10),
        MaxAttempts = 10,
    };

    [Test]
    public async Task PollAsync_ApprovedBeforeTheThirdPoll_IssuesWithBackOffOnTheInjectedClock()
    {
        using var server = PipelineServer.Create();
        server.Authority.RequireApproval = true;
        server.AddEntity("approved-device", "code-a");
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(730);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=approved-device", "code-a"), key);
        var started = server.Time.GetUtcNow();
        var reports = new List<PollProgress>();

        var result = await client.PollAsync(info, first.Transaction, Schedule, new ProgressHook(p =>
        {
            reports.Add(p);
            if (p.Attempt == 3)
            {
                server.Authority.Approve(server.Authority.PendingReferences.Single());
            }
        }));

        first.Status.Should().Be(EnrollmentStatus.Pending);
        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.TransactionId.Should().Be(first.TransactionId);
        result.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        reports.Select(r => r.Attempt).Should().Equal(1, 2, 3);
        server.Clock.Waits.Should().Equal(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        (server.Time.GetUtcNow() - started).Should().Be(TimeSpan.FromSeconds(60), "the server saw the back-off pass on the shared clock");
    }

    [Test]
    public async Task PollAsync_RejectedWhilePolling_IsAFailedResultWithTheAuthoritysReason()
    {
        using var server = PipelineServer.Create();
        server.Authority.RequireApproval = true;
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(731);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=rejected-device", PipelineServer.RaChallenge), key);

        var result = await client.PollAsync(info, first.Transaction, Schedule, new ProgressHook(p =>
        {
            if (p.Attempt == 2)
            {
                server.Authority.Reject(server.Authority.PendingReferences.Single(), "not on the inventory");
            }
        }));

        first.Status.Should().Be(EnrollmentStatus.Pending);
        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.FailInfoText.Should().Be("not on the inventory");
        server.Clock.Waits.Should().HaveCount(2);
    }

    [Test]
    public async Task PollAsync_NeverDecided_ReturnsPendingWhenTheScheduleRunsOut()
    {
        using var server = PipelineServer.Create();
        server.Authority.RequireApproval = true;
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(732);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=undecided-device", PipelineServer.RaChallenge), key);

        var result = await client.PollAsync(info, first.Transaction, new PollingOptions { InitialInterval = TimeSpan.FromMinutes(1), MaxInterval = TimeSpan.FromMinutes(1), MaxAttempts = 4 });

        result.Status.Should().Be(EnrollmentStatus.Pending);
        server.Http.Exchanges.Count(e => e.Method == "POST").Should().Be(5, "the request and four polls");
        server.Authority.PendingReferences.Should().ContainSingle("one request, however often it is polled");
    }

    [Test]
    public async Task PollAsync_ByGetOnAnAliasWithoutPost_IssuesAfterApproval()
    {
        using var server = PipelineServer.Create();
        server.Authority.RequireApproval = true;
        var client = server.Client("get-only");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(737);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=get-poller", PipelineServer.RaChallenge), key);

        var result = await client.PollAsync(info, first.Transaction, Schedule, new ProgressHook(p =>
        {
            if (p.Attempt == 2)
            {
                server.Authority.Approve(server.Authority.PendingReferences.Single());
            }
        }));

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        server.Http.Exchanges.Where(e => e.Query.Contains("operation=PKIOperation", StringComparison.Ordinal)).Select(e => e.Method)
            .Should().Equal("GET", "GET", "GET");
    }

    [Test]
    public async Task PollAsync_PendingRenewal_IsIssuedToTheRenewingCertificateAfterApproval()
    {
        using var server = PipelineServer.Create();
        var oldKey = TestPki.CachedRsa(738);
        var issued = await server.IssueAsync("pending-renewer", oldKey);
        server.Time.Advance(TimeSpan.FromDays(200));
        server.Authority.RequireApproval = true;
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var newKey = TestPki.CachedRsa(739);
        var first = await client.RenewAsync(info, PipelineServer.Csr(newKey, "CN=pending-renewer", challenge: null), ScepSigner.Create(issued.Certificate!, oldKey));

        var result = await client.PollAsync(info, first.Transaction, Schedule, new ProgressHook(p =>
        {
            if (p.Attempt == 1)
            {
                server.Authority.Approve(server.Authority.PendingReferences.Single());
            }
        }));

        first.Status.Should().Be(EnrollmentStatus.Pending);
        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Request.SignerCertificate!.RawData.Should().Equal(issued.Certificate!.RawData, "the poll is signed by the certificate being renewed");
        result.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(newKey.ExportSubjectPublicKeyInfo());
    }

    [Test]
    public async Task RenewAsync_AfterHalfTheValidity_IssuesANewCertificateForTheNewKey()
    {
        using var server = PipelineServer.Create();
        var oldKey = TestPki.CachedRsa(733);
        var issued = await server.IssueAsync("renewing-device", oldKey);
        server.Time.Advance(TimeSpan.FromDays(200)); // of 365
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var newKey = TestPki.CachedRsa(734);

        var renewed = await client.RenewAsync(info, PipelineServer.Csr(newKey, "CN=renewing-device", challenge: null), ScepSigner.Create(issued.Certificate!, oldKey));

        renewed.Status.Should().Be(EnrollmentStatus.Issued, renewed.ToString());
        renewed.Request.MessageType.Should().Be(MessageType.RenewalReq);
        renewed.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(newKey.ExportSubjectPublicKeyInfo());
        renewed.Certificate.Subject.Should().Be("CN=renewing-device");
        renewed.Certificate.SerialNumber.Should().NotBe(issued.Certificate!.SerialNumber);
        renewed.Certificate.NotBefore.Should().BeAfter(issued.Certificate.NotBefore.AddDays(199));
        renewed.Reply.Envelope!.FindRecipientCertificate([issued.Certificate]).Should().NotBeNull("a renewal's reply is encrypted to the certificate being renewed");
    }

    [Test]
    public async Task RenewAsync_BeforeHalfTheValidity_IsAFailedResultWithBadRequest()
    {
        using var server = PipelineServer.Create();
        var oldKey = TestPki.CachedRsa(735);
        var issued = await server.IssueAsync("early-renewer", oldKey);
        server.Time.Advance(TimeSpan.FromDays(100));
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var newKey = TestPki.CachedRsa(736);

        var renewed = await client.RenewAsync(info, PipelineServer.Csr(newKey, "CN=early-renewer", challenge: null), ScepSigner.Create(issued.Certificate!, oldKey));

        renewed.Status.Should().Be(EnrollmentStatus.Failed);
        renewed.FailInfo.Should().Be(FailInfo.BadRequest, "RenewalMinimumElapsedFraction is the server's policy, refused with a signed FAILURE");
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    /// <summary>Reports synchronously on the polling thread, so a decision made here is seen by the next poll.</summary>
    private sealed class ProgressHook(Action<PollProgress> report) : IProgress<PollProgress>
    {
        public void Report(PollProgress value) => report(value);
    }
}
