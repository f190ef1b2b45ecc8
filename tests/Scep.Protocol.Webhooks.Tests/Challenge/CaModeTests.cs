using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Challenge;

/// <summary>In CA mode the webhook runs after the end entity's code check, and a refusal spends nothing.</summary>
public class CaModeTests : WebhookTests
{
    [Test]
    public async Task ADeniedOrFailedWebhook_LeavesTheOneTimeCodeUnspent_AndTheDeviceEnrollsOnceItAllows()
    {
        var answer = """{"decision":"deny","reason":"Not yet approved"}""";
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => answer == "500"
            ? WebhookReceiver.AnswerAsync(c, r, "{}", Now, status: 500)
            : WebhookReceiver.AnswerAsync(c, r, answer, Now));
        using var server = Pipeline(receiver.Url, o => o.Aliases.Add("scep"));
        server.Entities.Add("laptop-7", "one-time-7");

        var denied = await server.NewClient("CN=laptop-7", "one-time-7", keySlot: 33).EnrollAsync("scep");
        answer = "500";
        var failed = await server.NewClient("CN=laptop-7", "one-time-7", keySlot: 33).EnrollAsync("scep");
        var unspent = server.Entities.Entities.Single(e => e.Username == "laptop-7");
        answer = """{"decision":"allow"}""";
        var allowed = await server.NewClient("CN=laptop-7", "one-time-7", keySlot: 33).EnrollAsync("scep");

        denied.Status.Should().Be(PkiStatus.Failure);
        denied.FailInfoText.Should().Be("Not yet approved");
        failed.Status.Should().Be(PkiStatus.Failure);
        unspent.Status.Should().Be(EndEntityStatus.New, "a refusal spends nothing");
        allowed.Status.Should().Be(PkiStatus.Success);
        server.Entities.Entities.Single(e => e.Username == "laptop-7").Status.Should().NotBe(EndEntityStatus.New, "the code is spent by the issuance");
        receiver.Received.Select(r => r.Json.GetProperty("username").GetString()).Should().AllBe("laptop-7");
    }

    [Test]
    public async Task AWrongCode_IsRefusedByTheCodeCheck_BeforeTheWebhookIsAsked()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now));
        using var server = Pipeline(receiver.Url, o => o.Aliases.Add("scep"));
        server.Entities.Add("laptop-8", "one-time-8");

        var reply = await server.NewClient("CN=laptop-8", "wrong-code", keySlot: 34).EnrollAsync("scep");

        reply.Status.Should().Be(PkiStatus.Failure);
        receiver.Received.Should().BeEmpty();
    }
}
