using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>Issue point 6: renewal by RenewalReq, UpdateReq and PKCSReq signed with the old certificate (RFC 8894 §2.5; reference §7.1).</summary>
public class RenewalTests
{
    /// <summary>The in-memory authority issues for 365 days: half of it is past after 183 days.</summary>
    private static readonly TimeSpan PastHalf = TimeSpan.FromDays(183);

    private static ServerHarness RenewingServer(Action<ScepAliasOptions>? configure = null) => ServerHarness.Create(o =>
    {
        o.Aliases["scep"].AllowRenewal = true;
        configure?.Invoke(o.Aliases["scep"]);
    });

    private static Pkcs10Request NewKeyCsr(string commonName, int keySlot) => Scenario.Csr("CN=" + commonName, TestPki.CachedRsa(keySlot), challenge: null);

    private static PkiMessage RenewalReq(ServerHarness server, TestCredential old, Pkcs10Request csr) =>
        PkiMessage.CreateRenewalReq(csr, server.Parameters(old));

    [Test]
    public async Task RenewalReq_AfterHalfTheValidity_IsIssuedAndEncryptedToTheOldCertificate()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);
        var csr = NewKeyCsr("device-1", 31);

        var reply = await server.SendAsync(RenewalReq(server, old, csr));

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.Envelope!.FindRecipientCertificate([old.Certificate]).Should().NotBeNull("the reply goes to the certificate being renewed");
        var renewed = reply.Decrypt(old.Certificate, old.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey);
        renewed.Should().NotBeNull();
        renewed!.Subject.Should().Be(old.Certificate.Subject);
        renewed.SerialNumber.Should().NotBe(old.Certificate.SerialNumber);
        server.Authority.IssuedCertificates.Should().HaveCount(2);
    }

    [Test]
    public async Task RenewalReq_BeforeHalfTheValidity_IsRefused()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(TimeSpan.FromDays(100));

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Contain("may be renewed from");
    }

    [Test]
    public async Task RenewalReq_WithAConfiguredFraction_FollowsIt()
    {
        using var server = RenewingServer(a => a.RenewalMinimumElapsedFraction = 0.1);
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(TimeSpan.FromDays(40));

        (await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)))).Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task RenewalReq_WhenRenewalIsDisabled_IsRefusedAndNotAdvertised()
    {
        using var server = ServerHarness.Create();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));
        var caps = CaCapabilities.Parse(System.Text.Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps")).Body.Span));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("not enabled");
        caps.Supports(CaCapability.Renewal).Should().BeFalse();
    }

    [TestCase(false, PkiStatus.Failure)]
    [TestCase(true, PkiStatus.Success)]
    public async Task RenewalReq_ReusingTheOldKey_FollowsAllowRenewalWithOldKey(bool allowOldKey, PkiStatus expected)
    {
        using var server = RenewingServer(a => a.AllowRenewalWithOldKey = allowOldKey);
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 30)));

        reply.Status.Should().Be(expected, reply.FailInfoText);
    }

    [Test]
    public async Task RenewalReq_SignedWithARevokedCertificate_IsRefused()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Authority.Revoke(old.Certificate);
        server.Advance(PastHalf);

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("revoked");
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task RenewalReq_SignedWithAnExpiredCertificate_IsRefused()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(TimeSpan.FromDays(366));

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("expired");
    }

    [Test]
    public async Task RenewalReq_SignedWithACertificateThisCaNeverRecorded_IsRefused()
    {
        using var server = RenewingServer();
        var unrecorded = TestPki.Issue(server.Ca, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-200));
        server.Entities.Add("device-1", "code");

        var reply = await server.SendAsync(RenewalReq(server, unrecorded, NewKeyCsr("device-1", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("not on record");
    }

    [Test]
    public async Task RenewalReq_SignedWithACertificateFromAForeignCa_IsRefused()
    {
        using var server = RenewingServer();
        var foreignCa = TestPki.CreateCa("CN=Foreign CA", TestPki.CachedRsa(903));
        var foreign = TestPki.Issue(foreignCa, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-200));
        server.Entities.Add("device-1", "code");

        var reply = await server.SendAsync(RenewalReq(server, foreign, NewKeyCsr("device-1", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task RenewalReq_ChangingTheCommonName_IsRefused()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-2", 31)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("common name");
    }

    [Test]
    public async Task PkcsReq_SignedWithAnIssuedCertificate_TakesTheRenewalPathWithoutAChallenge()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        var early = PkiMessage.CreatePkcsReq(NewKeyCsr("device-1", 31), server.Parameters(old));
        var earlyReply = await server.SendAsync(early);
        server.Advance(PastHalf);
        var csr = NewKeyCsr("device-1", 31);

        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(csr, server.Parameters(old)));

        earlyReply.FailInfoText.Should().Contain("may be renewed from", "the renewal rules apply, not the key-match or challenge rules");
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.Decrypt(old.Certificate, old.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey).Should().NotBeNull();
    }

    [Test]
    public async Task PkcsReq_SignedWithAnIssuedCertificate_WhenRenewalIsDisabled_IsRefused()
    {
        using var server = ServerHarness.Create();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);

        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(NewKeyCsr("device-1", 31), server.Parameters(old)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("not enabled");
    }

    [Test]
    public async Task RenewalRejectedByTheAuthority_DoesNotMakeTheUsedEnrollmentCodeValidAgain()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);
        server.Authority.RejectAllWithReason = "Renewals are on hold.";
        var renewal = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));
        server.Authority.RejectAllWithReason = null;

        var reuse = await server.NewClient("CN=device-1", "code-device-1", keySlot: 32).EnrollAsync();

        renewal.FailInfoText.Should().Be("Renewals are on hold.");
        reuse.Status.Should().Be(PkiStatus.Failure, "the one-time code was spent by the first enrollment");
        (await server.Entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task PendingRenewalRejectedLater_DoesNotMakeTheUsedEnrollmentCodeValidAgain()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);
        server.Authority.RequireApproval = true;
        var request = RenewalReq(server, old, NewKeyCsr("device-1", 31));
        (await server.SendAsync(request)).Status.Should().Be(PkiStatus.Pending);
        server.Authority.Reject(server.Authority.PendingReferences.Single(), "Not approved.");
        server.Authority.RequireApproval = false;

        var answer = await server.SendAsync(request);
        var reuse = await server.NewClient("CN=device-1", "code-device-1", keySlot: 32).EnrollAsync();

        answer.FailInfoText.Should().Be("Not approved.");
        reuse.Status.Should().Be(PkiStatus.Failure, "the one-time code was spent by the first enrollment");
    }

    [Test]
    public async Task RenewalRejectedByTheAuthority_LeavesTheEntityAbleToRenewLater()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);
        server.Authority.RejectAllWithReason = "Renewals are on hold.";
        await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));
        server.Authority.RejectAllWithReason = null;

        var retry = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)));

        retry.Status.Should().Be(PkiStatus.Success, retry.FailInfoText);
    }

    [Test]
    public async Task UpdateReq_IsHandledAsARenewal()
    {
        using var server = RenewingServer();
        var old = await server.IssueAsync("device-1", 30);
        server.Advance(PastHalf);
        var csr = NewKeyCsr("device-1", 31);

        var reply = await server.SendAsync(PkiMessage.CreateRequest(MessageType.UpdateReq, csr.RawData.Span, server.Parameters(old)));

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.Decrypt(old.Certificate, old.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey).Should().NotBeNull();
    }

    [Test]
    public async Task UpdateReq_SignedWithASelfSignedCertificate_IsRefused()
    {
        using var server = RenewingServer();
        var client = server.NewClient("CN=device-1", "code");

        var reply = await server.SendAsync(PkiMessage.CreateRequest(MessageType.UpdateReq, client.Csr.RawData.Span, server.Parameters(client.Signer)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task RenewalReq_ForACertificateIssuedUnderThePreviousCaKey_IsIssuedByTheCurrentCa()
    {
        var previousCa = TestPki.CreateCa("CN=Scep Test CA (previous)", TestPki.CachedRsa(904));
        var credentials = ServerHarness.CredentialsWithPreviousCa(previousCa.Certificate);
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowRenewal = true, credentials: credentials);
        var old = TestPki.Issue(previousCa, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-200), TimeSpan.FromDays(365));
        server.Authority.Record(old.Certificate);
        var csr = NewKeyCsr("device-1", 31);

        var reply = await server.SendAsync(RenewalReq(server, old, csr), "ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var renewed = reply.Decrypt(old.Certificate, old.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey)!;
        renewed.Issuer.Should().Be(TestPki.Ca.Certificate.Subject);
    }

    [Test]
    public async Task RenewalReq_ForACertificateOfAPreviousCaThatIsNotConfigured_IsRefused()
    {
        var previousCa = TestPki.CreateCa("CN=Scep Test CA (previous)", TestPki.CachedRsa(904));
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowRenewal = true);
        var old = TestPki.Issue(previousCa, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-200), TimeSpan.FromDays(365));
        server.Authority.Record(old.Certificate);

        var reply = await server.SendAsync(RenewalReq(server, old, NewKeyCsr("device-1", 31)), "ra");

        reply.Status.Should().Be(PkiStatus.Failure);
    }
}
