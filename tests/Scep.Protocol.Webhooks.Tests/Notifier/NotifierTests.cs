using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Notifier;

/// <summary>Issued, refused and revoked events reach a real receiver, signed; a failing receiver changes no answer.</summary>
public class NotifierTests : WebhookTests
{
    [Test]
    public async Task AnIssuedCertificate_IsPostedSigned_WithItsFields()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ok);
        using var server = Notifying(receiver.Url);
        var client = server.NewClient("CN=ra-device", "ra-secret", keySlot: 35);
        var request = client.PkcsReq();

        var issued = client.IssuedFrom(await server.SendAsync(request, "ra"));

        var seen = receiver.Received.Should().ContainSingle().Subject;
        WebhookSignature.Verify(Secret, seen.Timestamp, seen.Id, seen.Body, seen.Signature, server.Now, WebhookSignature.DefaultTolerance).Should().BeTrue();
        var json = seen.Json;
        json.GetProperty("type").GetString().Should().Be("scep.enrollment.issued");
        json.GetProperty("kind").GetString().Should().Be("issued");
        json.GetProperty("deliveryId").GetString().Should().Be(seen.Id);
        json.GetProperty("alias").GetString().Should().Be("ra");
        json.GetProperty("transactionId").GetString().Should().Be(request.TransactionId);
        json.GetProperty("messageType").GetString().Should().Be("PKCSReq");
        json.GetProperty("subject").GetString().Should().Be(issued.Subject);
        json.GetProperty("serialNumber").GetString().Should().Be(issued.SerialNumber.ToLowerInvariant());
        json.GetProperty("thumbprint").GetString().Should().Be(Convert.ToHexStringLower(SHA256.HashData(issued.RawData)));
        DateTimeOffset.Parse(json.GetProperty("notAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().Be(new DateTimeOffset(issued.NotAfter.ToUniversalTime()));
        X509Certificate2.CreateFromPem(json.GetProperty("certificate").GetString()).RawData.Should().Equal(issued.RawData);
    }

    [Test]
    public async Task ARefusal_IsPostedWithItsFailInfoReasonAndCategory()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ok);
        using var server = Notifying(receiver.Url);

        var reply = await server.NewClient("CN=ra-device", "wrong", keySlot: 36).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        var json = receiver.Received.Should().ContainSingle().Subject.Json;
        json.GetProperty("kind").GetString().Should().Be("refused");
        var refusal = json.GetProperty("refusal");
        refusal.GetProperty("failInfo").GetString().Should().Be("BadRequest");
        refusal.GetProperty("reason").GetString().Should().Be(reply.FailInfoText);
        refusal.GetProperty("category").GetString().Should().Be("ChallengeDenied");
        json.GetProperty("certificate").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Test]
    public async Task ARevocation_IsPostedWithItsReason()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ok);
        using var server = Notifying(receiver.Url);
        var certificate = await server.IssueAsync("revoked-device", keySlot: 37);
        receiver.Received.Clear();

        await server.Services.GetRequiredService<EnrollmentObservers>().NotifyAsync(
            new EnrollmentEvent(EnrollmentEventKind.Revoked, "scep", "default", server.Now, certificate.Certificate.RawData) { RevocationReason = X509RevocationReason.KeyCompromise },
            CancellationToken.None);

        var json = receiver.Received.Should().ContainSingle().Subject.Json;
        json.GetProperty("kind").GetString().Should().Be("revoked");
        json.GetProperty("revocationReason").GetString().Should().Be("KeyCompromise");
        json.GetProperty("serialNumber").GetString().Should().Be(certificate.Certificate.SerialNumber.ToLowerInvariant());
        json.GetProperty("certificate").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "only an issued event carries the certificate");
    }

    [Test]
    public async Task AFailingReceiver_IsTriedOnceMoreWithTheSameId_AndTheDeviceStillGetsItsCertificate()
    {
        await using var receiver = await WebhookReceiver.StartAsync((_, c, _) =>
        {
            c.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        using var server = Notifying(receiver.Url);
        var client = server.NewClient("CN=ra-device", "ra-secret", keySlot: 38);

        var reply = await client.EnrollAsync("ra");

        client.IssuedFrom(reply).Should().NotBeNull();
        receiver.Received.Should().HaveCount(2);
        receiver.Received.Select(r => r.Id).Distinct().Should().ContainSingle("a retry keeps the delivery id, so the receiver can drop a duplicate");
        server.Logs.GetSnapshot().Should().Contain(l => l.Message.Contains("not delivered after 2 attempt", StringComparison.Ordinal))
            .And.NotContain(l => l.Message.Contains(Secret, StringComparison.Ordinal));
    }

    [Test]
    public async Task AnUnreachableReceiver_DoesNotChangeTheAnswer()
    {
        using var server = Notifying(ClosedPortUrl());
        var client = server.NewClient("CN=ra-device", "ra-secret", keySlot: 39);

        var reply = await client.EnrollAsync("ra");

        client.IssuedFrom(reply).Should().NotBeNull();
    }

    [Test]
    public async Task AnEventKindNotConfigured_IsNotPosted()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ok);
        using var server = Notifying(receiver.Url, o => o.Events.Remove(EnrollmentEventKind.Refused));

        await server.NewClient("CN=ra-device", "wrong", keySlot: 40).EnrollAsync("ra");

        receiver.Received.Should().BeEmpty();
    }

    private static Task Ok(ReceivedWebhook request, HttpContext context, WebhookReceiver receiver)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static ServerHarness Notifying(Uri url, Action<WebhookNotifierOptions>? configure = null) =>
        ServerHarness.Create(build: b => b.AddWebhookNotifier(o =>
        {
            o.Url = url;
            o.Secret = Secret;
            o.AllowInsecureHttp = true;
            o.Timeout = Generous;
            configure?.Invoke(o);
        }));
}
