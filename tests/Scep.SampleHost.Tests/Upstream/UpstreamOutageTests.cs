using System.Collections.Generic;
using System.Threading.Tasks;
using Scep.Protocol.Client;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// The upstream cannot be reached: the request is queued in the RA's store and the device told PENDING (or FAILURE with
/// <c>Upstream:WhenUnavailable=Fail</c>); once the upstream is back the device's poll gets the certificate, also when the
/// RA was killed meanwhile. The upstream issues once.
/// </summary>
[NonParallelizable]
public class UpstreamOutageTests
{
    [Test]
    public async Task UpstreamDown_DeviceGetsPending_AndTheCertificateWhenTheUpstreamIsBack()
    {
        await using var topology = await UpstreamTopology.StartAsync();
        await topology.StopUpstreamAsync();
        var device = await Device.StartAsync(topology.RaUrl("edge"), "CN=upstream-outage-1", RaSetup.EdgeChallenge);

        var first = await device.EnrollAsync();
        first.Status.Should().Be(EnrollmentStatus.Pending, "the request is queued while the upstream is down");
        await topology.StartUpstreamAgainAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        result.Certificate!.Issuer.Should().Be(topology.UpstreamCa.Subject);
        (await topology.UpstreamCertificateCountAsync("upstream-outage-1")).Should().Be(1);
    }

    [Test]
    public async Task RaKilledWithARequestQueued_SendsItAfterItsRestart_AndTheDevicesPollGetsTheCertificate()
    {
        await using var topology = await UpstreamTopology.StartAsync();
        await topology.StopUpstreamAsync();
        var device = await Device.StartAsync(topology.RaUrl("edge"), "CN=upstream-outage-2", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        first.Status.Should().Be(EnrollmentStatus.Pending);

        await topology.KillAndRestartRaAsync();
        await topology.StartUpstreamAgainAsync();
        var result = await UpstreamPendingTests.PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        (await topology.UpstreamCertificateCountAsync("upstream-outage-2")).Should().Be(1);
    }

    [Test]
    public async Task UpstreamDown_WithWhenUnavailableFail_DeviceGetsFailureSayingSo()
    {
        await using var topology = await UpstreamTopology.StartAsync(new Dictionary<string, string> { ["Upstream__WhenUnavailable"] = "Fail" });
        await topology.StopUpstreamAsync();
        var device = await Device.StartAsync(topology.RaUrl("edge"), "CN=upstream-outage-3", RaSetup.EdgeChallenge);

        var result = await device.EnrollAsync();

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.FailInfoText.Should().Contain("upstream CA could not be reached");
        topology.Ra.Output.Should().Contain("Upstream CA not reached");
    }
}
