using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Challenge;

/// <summary>The receiver's three answers, through the real pipeline and a real Kestrel receiver.</summary>
public class ChallengeDecisionTests : WebhookTests
{
    [Test]
    public async Task Allow_IssuesTheCertificate_AndTheReceiverGotASignedRequestWithTheCsrAndItsNames()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now));
        using var server = Pipeline(receiver.Url);
        var client = ClientWithNames(server);
        var request = client.PkcsReq();

        var reply = await server.SendAsync(request, "hook");

        client.IssuedFrom(reply).Subject.Should().Contain("CN=device-1");
        var seen = receiver.Received.Should().ContainSingle().Subject;
        WebhookSignature.Verify(Secret, seen.Timestamp, seen.Id, seen.Body, seen.Signature, server.Now, WebhookSignature.DefaultTolerance).Should().BeTrue();
        seen.Timestamp.Should().Be(server.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var json = seen.Json;
        json.GetProperty("type").GetString().Should().Be("scep.challenge");
        json.GetProperty("deliveryId").GetString().Should().Be(seen.Id);
        json.GetProperty("alias").GetString().Should().Be("hook");
        json.GetProperty("transactionId").GetString().Should().Be(request.TransactionId);
        json.GetProperty("messageType").GetString().Should().Be("PKCSReq");
        json.GetProperty("challenge").GetString().Should().Be("device-challenge");
        json.GetProperty("subject").GetString().Should().Be("CN=device-1, O=Example");
        json.GetProperty("commonName").GetString().Should().Be("device-1");
        json.GetProperty("csr").GetString().Should().StartWith("-----BEGIN CERTIFICATE REQUEST-----");
        var names = json.GetProperty("subjectAltNames");
        names.GetProperty("dns").EnumerateArray().Select(e => e.GetString()).Should().Equal("device-1.example.com");
        names.GetProperty("ip").EnumerateArray().Select(e => e.GetString()).Should().Equal("192.0.2.7");
        names.GetProperty("email").EnumerateArray().Select(e => e.GetString()).Should().Equal("device-1@example.com");
        names.GetProperty("uri").EnumerateArray().Select(e => e.GetString()).Should().Equal("urn:uuid:5f0b6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b");
    }

    [Test]
    public async Task AllowWithProfileData_StoresTheDataOnTheEndEntity()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(
            c, r, """{"decision":"allow","profileData":{"department":"sales","assetTag":"A-1001"}}""", Now));
        using var server = Pipeline(receiver.Url);
        var client = ClientWithNames(server);

        client.IssuedFrom(await client.EnrollAsync("hook")).Should().NotBeNull();

        server.Entities.Entities.Single(e => e.Username == "device-1").ProfileData
            .Should().Contain("department", "sales").And.Contain("assetTag", "A-1001");
    }

    [Test]
    public async Task AllowWithTooMuchProfileData_GivesFailure()
    {
        var data = string.Join(",", Enumerable.Range(0, 3).Select(i => $"\"k{i}\":\"v\""));
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, "{\"decision\":\"allow\",\"profileData\":{" + data + "}}", Now));
        using var server = Pipeline(receiver.Url, o => o.MaxProfileDataEntries = 2);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
    }

    [Test]
    public async Task Deny_WithAReason_GivesAFailureCarryingThatReason_MadePrintableAndBounded()
    {
        var reason = "Device not in inventory\u0007" + new string('x', 500);
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(
            c, r, System.Text.Json.JsonSerializer.Serialize(new { decision = "deny", reason }), Now));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().StartWith("Device not in inventory x").And.HaveLength(WebhookChallengeOptions.MaxReasonLength);
    }

    [Test]
    public async Task Pending_GivesPending_AndThePollIsAskedAgain_ThenAllowGivesSuccess()
    {
        var decision = "pending";
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, "{\"decision\":\"" + decision + "\"}", Now));
        using var server = Pipeline(receiver.Url);
        var client = ClientWithNames(server);

        var first = await client.EnrollAsync("hook");
        first.Status.Should().Be(PkiStatus.Pending);
        decision = "allow";
        var poll = client.Poll(server.Ca.Certificate);
        var second = await server.SendAsync(poll, "hook");

        client.IssuedFrom(second).Subject.Should().Contain("CN=device-1");
        receiver.Received.Should().HaveCount(2);
        receiver.Received.Select(r => r.Id).Distinct().Should().HaveCount(2, "every delivery has its own id");
        receiver.Received.Select(r => r.Json.GetProperty("messageType").GetString()).Should().Equal(["PKCSReq", "PKCSReq"], "the poll re-asks about the request it polls for");
        receiver.Received.Select(r => r.Json.GetProperty("transactionId").GetString()).Distinct().Should().ContainSingle();
    }

    [Test]
    public async Task AnotherAlias_IsNotSentToTheReceiver()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"deny"}""", default));
        using var server = Pipeline(receiver.Url);

        var reply = await server.NewClient("CN=ra-device", "ra-secret").EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success);
        receiver.Received.Should().BeEmpty();
    }
}
