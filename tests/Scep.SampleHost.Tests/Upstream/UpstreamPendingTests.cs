using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Client;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// The upstream holds the RA's requests for its operator (<c>from-ra-approval</c>): the device gets PENDING, and its
/// polls get what the upstream decided, with the upstream's reason for a refusal.
/// </summary>
[NonParallelizable]
public class UpstreamPendingTests
{
    private UpstreamTopology _topology = null!;

    [OneTimeSetUp]
    public async Task Start() => _topology = await UpstreamTopology.StartAsync(upstreamAlias: "from-ra-approval");

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }

    [Test]
    public async Task UpstreamPending_DeviceWaits_AndGetsTheCertificateOnceTheUpstreamApproves()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-approved-1", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        first.Status.Should().Be(EnrollmentStatus.Pending, first.FailInfoText);
        var held = (await _topology.UpstreamPendingAsync()).Should().ContainSingle(p => p.Subject == "CN=upstream-approved-1").Subject;
        (await device.PollAsync(first.Transaction)).Status.Should().Be(EnrollmentStatus.Pending, "the upstream has not decided");

        var approved = await _topology.Upstream.AdminAsync("approve", held.Id);
        approved.ExitCode.Should().Be(0, approved.Error);
        var result = await PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.FailInfoText);
        result.Certificate!.Issuer.Should().Be(_topology.UpstreamCa.Subject);
        (await _topology.UpstreamCertificateCountAsync("upstream-approved-1")).Should().Be(1);
    }

    [Test]
    public async Task UpstreamRejects_DevicesPollGetsFailureWithTheUpstreamsReason()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-rejected-1", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();
        first.Status.Should().Be(EnrollmentStatus.Pending, first.FailInfoText);
        var held = (await _topology.UpstreamPendingAsync()).Single(p => p.Subject == "CN=upstream-rejected-1");

        var rejected = await _topology.Upstream.AdminAsync("reject", held.Id, "--reason", "not in the inventory");
        rejected.ExitCode.Should().Be(0, rejected.Error);
        var result = await PollUntilDecidedAsync(device, first.Transaction);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.FailInfoText.Should().Contain("upstream CA refused").And.Contain("not in the inventory");
        (await _topology.UpstreamCertificateCountAsync("upstream-rejected-1")).Should().Be(0);
    }

    /// <summary>Polls as a device does (every 200 ms here) until the answer is not PENDING, within 60 seconds.</summary>
    internal static async Task<EnrollmentResult> PollUntilDecidedAsync(Device device, EnrollmentTransaction transaction)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var result = await device.PollAsync(transaction);
            if (result.Status != EnrollmentStatus.Pending || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return result;
            }

            await Task.Delay(200);
        }
    }
}
