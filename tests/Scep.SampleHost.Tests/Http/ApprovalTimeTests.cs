using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Http;

/// <summary>Approval aliases over time: a request that waits for approval keeps holding its one-time code.</summary>
public class ApprovalTimeTests
{
    [Test]
    public async Task PendingLongerThanTheStaleReservationTimeout_TheCodeCannotStartASecondRequest()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var directory = new TempDirectory("scep-approval-time-");
        await using var host = new SampleHostFactory(directory.Path, services: s => s.AddSingleton<TimeProvider>(time));
        var ca = host.Cas.Current.Certificate;
        var client = host.Client("/scep/approve/pkiclient.exe");
        await host.Admin.AddEntityAsync("held-code", "held-secret", null, null, CancellationToken.None);
        var first = ScepTestClient.NewDevice("CN=held-code", "held-secret", keySlot: 35, ca);
        (await client.SendAsync(first.PkcsReq())).Status.Should().Be(PkiStatus.Pending);

        time.Advance(TimeSpan.FromMinutes(6)); // past Scep:StaleReservationTimeout (5 minutes); the admin has not decided yet
        var second = ScepTestClient.NewDevice("CN=held-code", "held-secret", keySlot: 36, ca);
        var reply = await client.SendAsync(second.PkcsReq());

        reply.Status.Should().Be(PkiStatus.Failure, "the one-time code is held by the request awaiting approval");
        (await host.Admin.ListPendingAsync(CancellationToken.None)).Count(p => p.Username == "held-code").Should().Be(1);
    }
}
