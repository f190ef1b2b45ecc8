using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Observers;

/// <summary><see cref="ScepServerOptions.ObserverTimeout"/> is validated at start-up; the issuance counter is not changed by observers.</summary>
public class ObserverOptionsAndMetricsTests
{
    private static ServiceProvider Provider(TimeSpan observerTimeout)
    {
        var services = new ServiceCollection();
        services.AddScepServer(o =>
            {
                o.Aliases["scep"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "secret" };
                o.ObserverTimeout = observerTimeout;
            })
            .AddEnrollmentAuthority(new InMemoryEnrollmentAuthority())
            .AddCredentials("default", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa));
        return services.BuildServiceProvider();
    }

    [TestCase("00:00:00")]
    [TestCase("-00:00:01")]
    [TestCase("00:05:00.0000001")]
    [TestCase("01:00:00")]
    public void Validate_ObserverTimeoutNotPositiveOrOverFiveMinutes_FailsAtStartUpNamingIt(string timeout)
    {
        using var provider = Provider(TimeSpan.Parse(timeout, CultureInfo.InvariantCulture));

        var resolve = () => provider.GetRequiredService<IOptions<ScepServerOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("Scep:ObserverTimeout must be positive and at most 5 minutes");
    }

    [TestCase("00:00:00.0010000")]
    [TestCase("00:05:00")]
    public void Validate_ObserverTimeoutWithinRange_Passes(string timeout)
    {
        using var provider = Provider(TimeSpan.Parse(timeout, CultureInfo.InvariantCulture));

        provider.GetRequiredService<IOptions<ScepServerOptions>>().Value.ObserverTimeout.Should().Be(TimeSpan.Parse(timeout, CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task CertificatesIssued_WithObservers_CountsOncePerIssuance_AsManyAsIssuedEvents()
    {
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentObserver<RecordingObserver>().AddEnrollmentObserver(new ThrowingObserver(synchronously: false)));
        using var issued = new MetricCollector<long>(server.Meters, "Scep.Protocol.Server", "scep.server.certificates_issued");
        var direct = server.NewClient("CN=device-1", "ra-secret", keySlot: 10);
        await direct.EnrollAsync("ra");
        await direct.EnrollAsync("ra");
        server.Authority.RequireApproval = true;
        var held = server.NewClient("CN=device-2", "ra-secret", keySlot: 11);
        await held.EnrollAsync("ra");
        server.Authority.Approve(server.Authority.PendingReferences.Single());

        await server.SendAsync(held.Poll(server.Ca.Certificate), "ra");
        await server.SendAsync(held.Poll(server.Ca.Certificate), "ra");
        await held.EnrollAsync("ra");

        issued.GetMeasurementSnapshot().Should().HaveCount(2, "one direct issuance and one approval; re-sent requests and repeated polls re-deliver")
            .And.OnlyContain(m => m.Value == 1 && (string?)m.Tags["scep.alias"] == "ra");
        server.Services.GetRequiredService<RecordingObserver>().Of(EnrollmentEventKind.Issued).Should().HaveCount(2);
        server.Authority.IssuedCertificates.Should().HaveCount(2);
    }
}
