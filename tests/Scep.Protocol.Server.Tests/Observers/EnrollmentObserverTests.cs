using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Observers;

/// <summary>
/// Issue 16 item 3: enrollment observers hear what was committed (issued, refused, pending, polled, revoked), every
/// registered observer is called, and an observer that throws or hangs is logged and never changes the reply.
/// </summary>
public class EnrollmentObserverTests
{
    private static string? State(FakeLogRecord record, string key) =>
        record.StructuredState?.FirstOrDefault(p => p.Key == key).Value;

    private static IEnumerable<string> Texts(FakeLogRecord record)
    {
        yield return record.Message;
        foreach (var pair in record.StructuredState ?? [])
        {
            yield return pair.Value ?? string.Empty;
        }

        yield return record.Exception?.ToString() ?? string.Empty;
    }

    private static RecordingObserver Recorder(ServerHarness server) => server.Services.GetRequiredService<RecordingObserver>();

    [Test]
    public async Task Issued_ArrivesAfterTheStoreCommitted_WithCertificateTransactionIdMessageTypeUsernameAndCsr()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<StoreReadingObserver>());
        server.Entities.Add("device-1", "code-1");
        var client = server.NewClient("CN=device-1", "code-1", transactionId: "tid-issued-1");

        var issued = client.IssuedFrom(await client.EnrollAsync());

        var sighting = server.Services.GetRequiredService<StoreReadingObserver>().Seen.Should().ContainSingle().Subject;
        var e = sighting.Event;
        e.Kind.Should().Be(EnrollmentEventKind.Issued);
        e.Alias.Should().Be("scep");
        e.CaName.Should().Be("default");
        e.OccurredAt.Should().Be(server.Now);
        e.TransactionId.Should().Be("tid-issued-1");
        e.MessageType.Should().Be(MessageType.PKCSReq);
        e.Username.Should().Be("device-1");
        e.CertificationRequest!.RawData.ToArray().Should().Equal(client.Csr.RawData.ToArray());
        e.CertificateRawData.ToArray().Should().Equal(issued.RawData);
        e.Certificate!.Thumbprint.Should().Be(issued.Thumbprint);
        e.Refusal.Should().BeNull();
        e.PollStatus.Should().BeNull();
        sighting.Transaction!.State.Should().Be(ScepTransactionState.Issued, "the observer is called after the certificate is on record");
        sighting.Transaction.IssuedCertificate.Should().Equal(issued.RawData);
        sighting.Entity!.Status.Should().Be(EndEntityStatus.Generated, "the one-time code is spent before the observer hears of it");
    }

    [TestCase("device-1", "wrong-code", RefusalCategory.WrongCode)]
    [TestCase("nobody", "code-1", RefusalCategory.UnknownEntity)]
    public async Task Refused_InCaMode_CarriesTheCategory_WhileTheClientGetsTheOneUniformReason(string user, string code, RefusalCategory expected)
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Entities.Add("device-1", "code-1");
        var client = server.NewClient("CN=" + user, code, transactionId: "tid-refused-1");

        var reply = await client.EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        var e = Recorder(server).Events.Should().ContainSingle().Subject;
        e.Kind.Should().Be(EnrollmentEventKind.Refused);
        e.Refusal!.Category.Should().Be(expected);
        e.Refusal.FailInfo.Should().Be(FailInfo.BadRequest).And.Be(reply.FailInfo);
        e.Refusal.Reason.Should().Be(EnrollmentCodeValidator.Refusal).And.Be(reply.FailInfoText, "the observer sees the text the client got");
        e.TransactionId.Should().Be("tid-refused-1");
        e.MessageType.Should().Be(MessageType.PKCSReq);
        e.Username.Should().Be(user);
        e.CertificationRequest!.RawData.ToArray().Should().Equal(client.Csr.RawData.ToArray());
        e.CertificateRawData.IsEmpty.Should().BeTrue();
        e.Certificate.Should().BeNull();
    }

    [Test]
    public async Task Refused_ByTheAuthority_CarriesItsReasonAndCategoryAuthorityRejected()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Authority.RejectAllWithReason = "Not on the allow list.";

        var reply = await server.NewClient("CN=device-1", "ra-secret").EnrollAsync("ra");

        reply.FailInfoText.Should().Be("Not on the allow list.");
        var refusal = Recorder(server).Events.Should().ContainSingle().Which.Refusal!;
        refusal.Category.Should().Be(RefusalCategory.AuthorityRejected);
        refusal.Reason.Should().Be("Not on the allow list.");
        refusal.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task Pending_AwaitingApproval_IsReportedWithPendingKindApproval_AfterTheTransactionIsRecordedPending()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<StoreReadingObserver>());
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-1", "code-1");
        var client = server.NewClient("CN=router-1", "code-1", transactionId: "tid-pending-1");

        (await client.EnrollAsync()).Status.Should().Be(PkiStatus.Pending);

        var sighting = server.Services.GetRequiredService<StoreReadingObserver>().Seen.Should().ContainSingle().Subject;
        sighting.Event.Kind.Should().Be(EnrollmentEventKind.Pending);
        sighting.Event.PendingKind.Should().Be(ScepPendingKind.Approval);
        sighting.Event.TransactionId.Should().Be("tid-pending-1");
        sighting.Event.Username.Should().Be("router-1");
        sighting.Event.CertificateRawData.IsEmpty.Should().BeTrue();
        sighting.Transaction!.State.Should().Be(ScepTransactionState.Pending);
        sighting.Transaction.PendingKind.Should().Be(ScepPendingKind.Approval);
        sighting.Entity!.Status.Should().Be(EndEntityStatus.InProcess);
    }

    [Test]
    public async Task CertPoll_WhileStillPending_IsReportedAsPolledWithStatusPending_AndNothingElse()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Authority.RequireApproval = true;
        var client = server.NewClient("CN=device-1", "ra-secret", transactionId: "tid-poll-1");
        await client.EnrollAsync("ra");

        (await server.SendAsync(client.Poll(server.Ca.Certificate), "ra")).Status.Should().Be(PkiStatus.Pending);

        Recorder(server).Events.Select(e => e.Kind).Should().Equal(EnrollmentEventKind.Pending, EnrollmentEventKind.Polled);
        var polled = Recorder(server).Events[1];
        polled.PollStatus.Should().Be(PkiStatus.Pending);
        polled.MessageType.Should().Be(MessageType.CertPoll);
        polled.TransactionId.Should().Be("tid-poll-1");
    }

    [Test]
    public async Task Approval_DeliveredAtAPoll_RaisesIssuedOnce_AndEveryPollIsReportedWithItsStatus()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>().AddEnrollmentObserver<StoreReadingObserver>());
        server.Authority.RequireApproval = true;
        var client = server.NewClient("CN=device-1", "ra-secret", transactionId: "tid-approved-1");
        await client.EnrollAsync("ra");
        var approved = server.Authority.Approve(server.Authority.PendingReferences.Single());

        client.IssuedFrom(await server.SendAsync(client.Poll(server.Ca.Certificate), "ra")).RawData.Should().Equal(approved.RawData);
        client.IssuedFrom(await server.SendAsync(client.Poll(server.Ca.Certificate), "ra")).RawData.Should().Equal(approved.RawData);

        var events = Recorder(server).Events;
        events.Select(e => e.Kind).Should().Equal(
            EnrollmentEventKind.Pending, EnrollmentEventKind.Issued, EnrollmentEventKind.Polled, EnrollmentEventKind.Polled);
        var issued = events[1];
        issued.CertificateRawData.ToArray().Should().Equal(approved.RawData);
        issued.TransactionId.Should().Be("tid-approved-1");
        issued.MessageType.Should().Be(MessageType.PKCSReq, "the event is about the enrollment the poll completed");
        issued.Username.Should().Be("device-1");
        events.Where(e => e.Kind == EnrollmentEventKind.Polled).Select(e => e.PollStatus).Should().Equal(PkiStatus.Success, PkiStatus.Success);
        server.Services.GetRequiredService<StoreReadingObserver>().Seen
            .Single(s => s.Event.Kind == EnrollmentEventKind.Issued).Transaction!.State.Should().Be(ScepTransactionState.Issued);
    }

    [Test]
    public async Task ReSentPkcsReq_AnsweredFromTheRecord_RaisesNoSecondIssued()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Entities.Add("device-1", "code-1");
        var client = server.NewClient("CN=device-1", "code-1");

        var first = client.IssuedFrom(await client.EnrollAsync());
        var again = client.IssuedFrom(await client.EnrollAsync());

        again.RawData.Should().Equal(first.RawData);
        Recorder(server).Events.Should().ContainSingle().Which.Kind.Should().Be(EnrollmentEventKind.Issued);
    }

    [Test]
    public async Task SeveralObservers_AreAllCalled_WithTheSameEvent()
    {
        var instance = new RecordingObserver();
        using var server = ServerHarness.Create(build: b => b
            .AddEnrollmentObserver<RecordingObserver>()
            .AddEnrollmentObserver<OtherRecordingObserver>()
            .AddEnrollmentObserver(instance));

        await server.NewClient("CN=device-1", "ra-secret", transactionId: "tid-several-1").EnrollAsync("ra");

        var heard = new[] { Recorder(server), server.Services.GetRequiredService<OtherRecordingObserver>().Inner, instance };
        heard.Should().OnlyContain(o => o.Events.Count == 1 && o.Events[0].Kind == EnrollmentEventKind.Issued && o.Events[0].TransactionId == "tid-several-1");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ThrowingObserver_LeavesTheReplySuccess_IsLoggedAsEvent21WithoutSecrets_AndTheOthersStillHearTheEvent(bool throwsSynchronously)
    {
        const string secret = "ra-SECRET-4711";
        var throwing = new ThrowingObserver(throwsSynchronously);
        using var server = ServerHarness.Create(
            o => o.Aliases["ra"].RaChallenge = secret,
            b => b.AddEnrollmentObserver<RecordingObserver>().AddEnrollmentObserver(throwing).AddEnrollmentObserver<OtherRecordingObserver>());
        var client = server.NewClient("CN=device-1", secret);

        var issued = client.IssuedFrom(await client.EnrollAsync("ra"));

        issued.Subject.Should().Be("CN=device-1");
        throwing.Calls.Should().Be(1);
        Recorder(server).Of(EnrollmentEventKind.Issued).Should().ContainSingle();
        server.Services.GetRequiredService<OtherRecordingObserver>().Inner.Of(EnrollmentEventKind.Issued).Should().ContainSingle();
        var failed = server.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 21).Subject;
        failed.Level.Should().Be(LogLevel.Error);
        State(failed, "Observer").Should().Be(nameof(ThrowingObserver));
        State(failed, "Kind").Should().Be("Issued");
        State(failed, "Alias").Should().Be("ra");
        failed.Exception.Should().BeOfType<InvalidOperationException>();
        server.Logs.GetSnapshot().SelectMany(Texts).Should().NotContain(t => t.Contains("SECRET", StringComparison.Ordinal));
    }

    [Test]
    public async Task HangingObserver_TheReplyComesBackOnceTheClockPassesObserverTimeout_LoggedAsEvent20_ItsTokenCancelled()
    {
        var hanging = new HangingObserver();
        using var server = ServerHarness.Create(
            o => o.ObserverTimeout = TimeSpan.FromMinutes(5),
            b => b.AddEnrollmentObserver(hanging).AddEnrollmentObserver<RecordingObserver>());
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = client.PkcsReq();

        var handling = server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", Body = request.RawData }, CancellationToken.None).AsTask();
        // The 60 s waits are guards only: with the fake clock everything completes at once; a timeout that ran on the
        // wall clock instead of the TimeProvider would not fire within them (ObserverTimeout is 5 minutes).
        var token = await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        server.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        var completedBeforeTimeout = handling.IsCompleted;
        server.Advance(TimeSpan.FromMilliseconds(1));
        var response = await handling.WaitAsync(TimeSpan.FromSeconds(60));

        completedBeforeTimeout.Should().BeFalse("the reply waits for its observers up to ObserverTimeout");
        client.IssuedFrom(server.ReplyFrom(response, request)).Subject.Should().Be("CN=device-1");
        token.IsCancellationRequested.Should().BeTrue("the observer's token is cancelled at the timeout");
        Recorder(server).Of(EnrollmentEventKind.Issued).Should().ContainSingle("the other observer was not held up");
        var timedOut = server.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 20).Subject;
        timedOut.Level.Should().Be(LogLevel.Warning);
        State(timedOut, "Observer").Should().Be(nameof(HangingObserver));
        State(timedOut, "Kind").Should().Be("Issued");
        State(timedOut, "TimeoutMs").Should().Be("300000");
    }

    [Test]
    public async Task Revoked_PublishedByTheHostThroughNotifyAsync_ReachesEveryObserver_EvenWhenOneThrows()
    {
        using var server = ServerHarness.Create(build: b => b
            .AddEnrollmentObserver<RecordingObserver>()
            .AddEnrollmentObserver(new ThrowingObserver(synchronously: true)));
        var client = server.NewClient("CN=device-1", "ra-secret");
        var certificate = client.IssuedFrom(await client.EnrollAsync("ra"));
        server.Authority.Revoke(certificate);
        var observers = server.Services.GetRequiredService<EnrollmentObservers>();

        var notify = async () => await observers.NotifyAsync(
            new EnrollmentEvent(EnrollmentEventKind.Revoked, "ra", "default", server.Now, certificate.RawData)
            {
                Username = "device-1",
                RevocationReason = X509RevocationReason.KeyCompromise,
            },
            CancellationToken.None);

        await notify.Should().NotThrowAsync("an observer's fault never reaches the host");
        var revoked = Recorder(server).Of(EnrollmentEventKind.Revoked).Should().ContainSingle().Subject;
        revoked.Certificate!.Thumbprint.Should().Be(certificate.Thumbprint);
        revoked.RevocationReason.Should().Be(X509RevocationReason.KeyCompromise);
        revoked.Username.Should().Be("device-1");
        observers.Any.Should().BeTrue();
    }

    [Test]
    public async Task AddEnrollmentObserverOfT_CalledTwice_RegistersOneObserver()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>().AddEnrollmentObserver<RecordingObserver>());

        await server.NewClient("CN=device-1", "ra-secret").EnrollAsync("ra");

        server.Services.GetServices<IEnrollmentObserver>().Should().ContainSingle();
        Recorder(server).Events.Should().ContainSingle("one registration hears each event once");
    }
}
