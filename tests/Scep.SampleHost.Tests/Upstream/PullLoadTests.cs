using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Scep.Protocol.Client;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// 32 devices enroll 50 times each through the RA of the pull model, every enrollment PENDING first and then polled:
/// every one ends issued by the CA, no certificate is issued twice (the CA lists each subject once, all serial numbers
/// differ), and the RA recorded each. Bounded by counts; the time taken is printed, not asserted.
/// </summary>
[NonParallelizable]
public class PullLoadTests
{
    private const int Devices = 32;
    private const int EnrollmentsPerDevice = 50;

    [Test]
    public async Task ThirtyTwoDevicesTimesFifty_ThroughTheRa_AllIssuedOnce()
    {
        await using var topology = await PullTopology.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var client = new ScepClient(http, new Uri(topology.RaUrl()));
        var server = await client.GetServerInfoAsync();
        var issued = new ConcurrentBag<(string CommonName, string Serial)>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Devices).Select(device => Task.Run(async () =>
        {
            var key = TestPki.CachedRsa(200 + device);
            for (var i = 0; i < EnrollmentsPerDevice; i++)
            {
                var commonName = $"load-{device:00}-{i:00}";
                var result = await client.EnrollAsync(server, Scenario.Csr("CN=" + commonName, key, RaSetup.EdgeChallenge), key);
                var deadline = Stopwatch.StartNew();
                while (result.Status == EnrollmentStatus.Pending && deadline.Elapsed < TimeSpan.FromMinutes(5))
                {
                    await Task.Delay(250);
                    result = await client.PollOnceAsync(server, result.Transaction);
                }

                result.Status.Should().Be(EnrollmentStatus.Issued, $"{commonName}: {result.FailInfoText}");
                issued.Add((commonName, result.Certificate!.SerialNumber));
            }
        })));

        TestContext.Out.WriteLine($"{Devices * EnrollmentsPerDevice} enrollments through the pull-model RA in {clock.Elapsed.TotalSeconds:0.0} s");
        issued.Should().HaveCount(Devices * EnrollmentsPerDevice);
        issued.Select(i => i.Serial).Should().OnlyHaveUniqueItems();
        var listed = await Scep.SampleHost.Tests.Infrastructure.HostProcess.RunAdminAsync(topology.Ca!.Environment, "list-certificates");
        var caSubjects = listed.Output.Split('\n').Select(line => System.Text.RegularExpressions.Regex.Match(line, @"CN=(load-\d\d-\d\d)\b")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        caSubjects.Should().HaveCount(Devices * EnrollmentsPerDevice, "the CA issued once per enrollment").And.OnlyHaveUniqueItems();
    }
}
