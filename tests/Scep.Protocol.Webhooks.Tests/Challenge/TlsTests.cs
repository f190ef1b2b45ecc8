using System.Threading.Tasks;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Challenge;

/// <summary>HTTPS receivers behind a private CA, one of them requiring a client certificate (mTLS).</summary>
public class TlsTests : WebhookTests
{
    private const string Allow = """{"decision":"allow"}""";

    [Test]
    public async Task AReceiverRequiringAClientCertificate_AcceptsOurs_AndTheEnrollmentIsIssued()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now), TlsPki.Server, requiredClientIssuer: TlsPki.Ca);
        receiver.Url.Scheme.Should().Be("https");
        using var server = Pipeline(receiver.Url, o =>
        {
            o.AllowInsecureHttp = false;
            o.ClientCertificate = TlsPki.Client;
            o.TrustedServerCertificates.Add(TlsPki.Ca);
        });

        var client = ClientWithNames(server);
        var reply = await client.EnrollAsync("hook");

        client.IssuedFrom(reply).Should().NotBeNull();
        receiver.Received.Should().ContainSingle().Which.ClientCertificate!.Thumbprint.Should().Be(TlsPki.Client.Thumbprint);
    }

    [Test]
    public async Task AReceiverRequiringAClientCertificate_RefusesUsWithoutOne_AndTheDeviceGetsFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now), TlsPki.Server, requiredClientIssuer: TlsPki.Ca);
        using var server = Pipeline(receiver.Url, o => o.TrustedServerCertificates.Add(TlsPki.Ca));

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.UnavailableReason);
        receiver.Received.Should().BeEmpty();
    }

    [Test]
    public async Task AReceiverWhoseCertificateDoesNotChainToTheConfiguredCa_IsNotTalkedTo()
    {
        using var otherCa = TlsPki.CreateCa("CN=Some Other CA");
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now), TlsPki.Server);
        using var server = Pipeline(receiver.Url, o => o.TrustedServerCertificates.Add(otherCa));

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        receiver.Received.Should().BeEmpty();
    }

    [Test]
    public async Task APrivateCaReceiver_WithoutTheCaConfigured_IsNotTrusted()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now), TlsPki.Server);
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        receiver.Received.Should().BeEmpty();
    }
}
