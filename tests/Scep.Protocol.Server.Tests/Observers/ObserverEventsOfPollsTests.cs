using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Observers;

/// <summary>What the observers hear from polls: the CSR of an approval delivered at a poll, one report per decided refusal, one timeout per reply.</summary>
public class ObserverEventsOfPollsTests
{
    private static RecordingObserver Recorder(ServerHarness server) => server.Services.GetRequiredService<RecordingObserver>();

    [Test]
    public async Task Approval_DeliveredAtAPoll_TheIssuedEventCarriesTheRequestsCsr()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Authority.RequireApproval = true;
        var client = server.NewClient("CN=device-2", "ra-secret", keySlot: 230);
        await client.EnrollAsync("ra");
        server.Authority.Approve(server.Authority.PendingReferences.Single());

        await server.SendAsync(client.Poll(server.Ca.Certificate), "ra");

        var issued = Recorder(server).Of(EnrollmentEventKind.Issued).Single();
        issued.CertificationRequest.Should().NotBeNull("the pending transaction kept the request");
        issued.CertificationRequest!.RawData.ToArray().Should().Equal(client.Csr.RawData.ToArray());
        server.Transactions.Transactions.Single().PendingRequest.Should().BeNull("dropped once issued");
    }

    [Test]
    public async Task PollsOfARejectedRequest_ReportTheRefusalOnceWhenDecided_ThenOnlyAsPolled()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>());
        server.Authority.RequireApproval = true;
        var client = server.NewClient("CN=device-3", "ra-secret", keySlot: 231);
        await client.EnrollAsync("ra");
        server.Authority.Reject(server.Authority.PendingReferences.Single(), "No.");

        var first = await server.SendAsync(client.Poll(server.Ca.Certificate), "ra");
        var second = await server.SendAsync(client.Poll(server.Ca.Certificate), "ra");

        (first.FailInfoText, second.FailInfoText).Should().Be(("No.", "No."));
        Recorder(server).Events.Select(e => e.Kind).Should().Equal(
            EnrollmentEventKind.Pending, EnrollmentEventKind.Refused, EnrollmentEventKind.Polled, EnrollmentEventKind.Polled);
        Recorder(server).Of(EnrollmentEventKind.Polled).Select(e => e.PollStatus).Should().Equal(PkiStatus.Failure, PkiStatus.Failure);
    }

    [Test]
    public async Task HangingObserver_OnAPollThatDeliversAnApproval_HoldsTheReplyForOneTimeoutNotOnePerEvent()
    {
        var hanging = new HangingObserver();
        using var hangingServer = ServerHarness.Create(o => o.ObserverTimeout = TimeSpan.FromMinutes(2), b => b.AddEnrollmentObserver(hanging));
        hangingServer.Authority.RequireApproval = true;
        var hangingClient = hangingServer.NewClient("CN=device-5", "ra-secret", keySlot: 233);
        var pending = hangingServer.Handler.HandleAsync(new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", Body = hangingClient.PkcsReq().RawData }, CancellationToken.None).AsTask();
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        hangingServer.Advance(TimeSpan.FromMinutes(2));
        await pending.WaitAsync(TimeSpan.FromSeconds(60));
        hangingServer.Authority.Approve(hangingServer.Authority.PendingReferences.Single());
        var poll = hangingClient.Poll(hangingServer.Ca.Certificate);

        var handling = hangingServer.Handler.HandleAsync(new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", Body = poll.RawData }, CancellationToken.None).AsTask();
        await Task.Yield();
        hangingServer.Advance(TimeSpan.FromMinutes(2));
        var response = await handling.WaitAsync(TimeSpan.FromSeconds(60));

        hangingClient.IssuedFrom(hangingServer.ReplyFrom(response, poll)).Subject.Should().Be("CN=device-5", "two events (Issued, Polled), one timeout");
    }
}
