using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Intune.Tests.Emulator;

namespace Scep.Protocol.Intune.Tests;

/// <summary>
/// Intune fails closed: throttled, down, slow, answering garbage or too much, its token refused, Graph failing: the
/// device gets a signed FAILURE, or PENDING with <see cref="IntuneUnavailableBehavior.Pending"/>, and nothing is issued.
/// </summary>
public class UnavailableTests : IntuneTests
{
    public enum Failure
    {
        Throttled429,
        ServerError500,
        Unavailable503,
        GarbageJson,
        JsonWithoutCode,
        HugeAnswer,
        GraphError,
        GraphWithoutTheService,
        ServiceListedButDown,
        WrongClientSecret,
    }

    [Test]
    public async Task EveryFailure_WithWhenUnavailableFail_GivesFailureAndIssuesNothing([Values] Failure failure)
    {
        Arrange(failure);
        using var server = Pipeline(o => Secret(o, failure));

        var reply = await Device(server).EnrollAsync("intune");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(IntuneChallengeValidator.UnavailableReason);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task EveryFailure_WithWhenUnavailablePending_GivesPending_AndThePollSucceedsOnceIntuneIsBack([Values] Failure failure)
    {
        Arrange(failure);
        using var server = Pipeline(o =>
        {
            Secret(o, failure);
            o.WhenUnavailable = IntuneUnavailableBehavior.Pending;
        });
        var device = Device(server);

        var first = await device.EnrollAsync("intune");
        first.Status.Should().Be(PkiStatus.Pending);
        server.Authority.IssuedCertificates.Should().BeEmpty();

        if (failure == Failure.WrongClientSecret)
        {
            return; // the secret is the host's setting: polling cannot fix it
        }

        Recover();
        var poll = await server.SendAsync(device.Poll(server.Ca.Certificate), "intune");
        device.IssuedFrom(poll).Should().NotBeNull("the poll asked Intune again");
    }

    [Test]
    public async Task SlowService_BeyondTheTimeout_GivesFailure()
    {
        Emulator.Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = Pipeline(o => o.Timeout = TimeSpan.FromSeconds(1));

        var reply = await Device(server).EnrollAsync("intune");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(IntuneChallengeValidator.UnavailableReason);
        Emulator.Stall.TrySetResult();
    }

    [Test]
    public async Task ExpiredToken_IsRefreshedOnce_AndTheCallRetried()
    {
        using var server = Pipeline();
        var first = Device(server, 24);
        var firstNotification = Emulator.NextNotification.Task;
        first.IssuedFrom(await first.EnrollAsync("intune"));
        await firstNotification.WaitAsync(Generous);
        Emulator.RevokeTokens();
        var second = Device(server, 25);

        second.IssuedFrom(await second.EnrollAsync("intune"));

        CallsOf("validateRequest").Should().HaveCount(3, "one for the first device, a refused one and its retry for the second");
        Emulator.TokenRequests.Count(t => t["scope"] == "https://api.manage.microsoft.com//.default").Should().Be(2, "one new token after the 401");
    }

    [Test]
    public async Task WrongClientSecret_IsNeverLogged()
    {
        using var server = Pipeline(o => o.ClientSecret = "wrong-secret-WRONGSECRET");

        (await Device(server).EnrollAsync("intune")).Status.Should().Be(PkiStatus.Failure);

        var logs = string.Join("\n", server.Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception));
        logs.Should().Contain("Intune could not validate").And.Contain("invalid_client");
        logs.Should().NotContain("WRONGSECRET").And.NotContain(IntuneEmulator.ClientSecret).And.NotContain("intune-challenge-blob");
    }

    private void Arrange(Failure failure)
    {
        switch (failure)
        {
            case Failure.Throttled429: Emulator.ServiceStatus = 429; break;
            case Failure.ServerError500: Emulator.ServiceStatus = 500; break;
            case Failure.Unavailable503: Emulator.ServiceStatus = 503; break;
            case Failure.GarbageJson: Emulator.ServiceBody = "<html>not json"; break;
            case Failure.JsonWithoutCode: Emulator.ServiceBody = """{"status":"ok"}"""; break;
            case Failure.HugeAnswer: Emulator.ServiceBody = "{\"code\":\"Success\",\"errorDescription\":\"" + new string('x', 1_000_000) + "\"}"; break;
            case Failure.GraphError: Emulator.GraphStatus = 500; break;
            case Failure.GraphWithoutTheService: Emulator.ListsValidationService = false; break;
            case Failure.ServiceListedButDown: Emulator.ServiceUriOverride = new Uri($"https://localhost:{ClosedPort()}/ScepRequestValidationFEService"); break;
        }
    }

    private void Recover()
    {
        Emulator.ServiceStatus = null;
        Emulator.ServiceBody = null;
        Emulator.GraphStatus = null;
        Emulator.ListsValidationService = true;
        Emulator.ServiceUriOverride = null;
    }

    private static void Secret(IntuneOptions options, Failure failure)
    {
        if (failure == Failure.WrongClientSecret)
        {
            options.ClientSecret = "wrong-secret-WRONGSECRET";
        }
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
