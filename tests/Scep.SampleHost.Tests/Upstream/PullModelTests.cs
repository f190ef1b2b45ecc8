using System.Threading.Tasks;
using Scep.Protocol.Client;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// The pull model end to end (docs/upstream.md): a device enrolls at the RA and gets PENDING; the CA, which only makes
/// outbound calls, pulls, issues and delivers; the device's poll gets the certificate. Then SIGKILL of either process
/// at each step: nothing is lost and nothing is issued twice.
/// </summary>
[NonParallelizable]
public class PullModelTests
{
    [Test]
    public async Task DeviceAtTheRa_GetsPending_ThenTheCertificateTheCaIssued_AndTheCaIssuedOnce()
    {
        await using var topology = await PullTopology.StartAsync();
        var device = await Device.StartAsync(topology.RaUrl(), "CN=pulled-1", RaSetup.EdgeChallenge);

        var first = await device.EnrollAsync();
        var result = first.Status == EnrollmentStatus.Pending ? await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction) : first;

        first.Status.Should().Be(EnrollmentStatus.Pending, "the RA only queues");
        result.Status.Should().Be(EnrollmentStatus.Issued, topology.Logs());
        result.Certificate!.Issuer.Should().Be(topology.CaCertificate.Subject);
        (await topology.CaCertificateCountAsync("pulled-1")).Should().Be(1);
        topology.Ca!.Output.Should().Contain("delivered the certificate");
    }

    [Test]
    public async Task RaKilledAfterQueueing_KeepsTheRequest_AndTheCaIssuesItAfterTheRestart()
    {
        await using var topology = await PullTopology.StartAsync();
        await topology.StopCaAsync();
        var device = await Device.StartAsync(topology.RaUrl(), "CN=pulled-kill-queued", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        first.Status.Should().Be(EnrollmentStatus.Pending);

        await topology.KillRaAsync();
        await topology.StartRaAsync();
        await topology.StartCaAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        (await topology.CaCertificateCountAsync("pulled-kill-queued")).Should().Be(1);
    }

    [Test]
    public async Task RaKilledWhileTheCaPulls_LosesNothing()
    {
        await using var topology = await PullTopology.StartAsync(startRa: false);
        await topology.StopCaAsync();
        await topology.StartRaAsync();
        var device = await Device.StartAsync(topology.RaUrl(), "CN=pulled-kill-list", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        await topology.KillRaAsync();

        await topology.StartRaAsync(killAt: "ra-list");
        await topology.StartCaAsync();
        await PullTopology.WaitForExitAsync(topology.Ra!);
        await topology.StartRaAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        (await topology.CaCertificateCountAsync("pulled-kill-list")).Should().Be(1);
    }

    [Test]
    public async Task CaKilledAfterIssuingBeforeDelivering_DeliversThatCertificateAfterItsRestart_NotASecond()
    {
        await using var topology = await PullTopology.StartAsync();
        await topology.StopCaAsync();
        var device = await Device.StartAsync(topology.RaUrl(), "CN=pulled-kill-issued", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();

        await topology.StartCaAsync(killAt: "ca-after-issue");
        await PullTopology.WaitForExitAsync(topology.Ca!);
        await topology.StartCaAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        (await topology.CaCertificateCountAsync("pulled-kill-issued")).Should().Be(1, "the CA found the certificate it had issued before it was killed");
    }

    [TestCase("ra-deliver-before-record")]
    [TestCase("ra-deliver-after-record")]
    public async Task RaKilledWhileTheCaDelivers_EndsWithTheOneCertificate(string killAt)
    {
        await using var topology = await PullTopology.StartAsync();
        await topology.StopCaAsync();
        var device = await Device.StartAsync(topology.RaUrl(), "CN=pulled-" + killAt, RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        await topology.KillRaAsync();

        await topology.StartRaAsync(killAt: killAt);
        await topology.StartCaAsync();
        await PullTopology.WaitForExitAsync(topology.Ra!);
        await topology.StartRaAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        (await topology.CaCertificateCountAsync("pulled-" + killAt)).Should().Be(1);
    }
}
