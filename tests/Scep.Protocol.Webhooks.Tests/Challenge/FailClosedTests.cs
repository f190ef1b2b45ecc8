using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Challenge;

/// <summary>Every way the receiver can fail gives the device a signed FAILURE (or PENDING while it is down, when configured).</summary>
public class FailClosedTests : WebhookTests
{
    [Test]
    public async Task AReceiverSlowerThanTheTimeout_GivesFailureUnavailable()
    {
        await using var receiver = await WebhookReceiver.StartAsync(async (r, c, self) =>
        {
            await self.Released.Task;
            await WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now);
        });
        using var server = Pipeline(receiver.Url, o => o.Timeout = TimeSpan.FromSeconds(1));

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.UnavailableReason);
    }

    [Test]
    public async Task AServerError_GivesFailureUnavailable()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now, status: 500));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.UnavailableReason);
    }

    [TestCase(400)]
    [TestCase(404)]
    public async Task AClientErrorStatus_GivesFailureInvalidAnswer_EvenWhenUnavailableMeansPending(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now, status: status));
        using var server = Pipeline(receiver.Url, o => o.WhenUnavailable = WebhookUnavailableBehavior.Pending);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
    }

    [TestCase("not json at all")]
    [TestCase("""{"decision":"maybe"}""")]
    [TestCase("""{"allow":true}""")]
    [TestCase("""["allow"]""")]
    [TestCase("""{"decision":"allow","profileData":{"n":1}}""")]
    public async Task AnAnswerThatIsNotValid_GivesFailureInvalidAnswer(string body)
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, body, Now));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
    }

    [Test]
    public async Task AHugeAnswer_GivesFailure_WithoutTheBodyBeingReadToItsEnd()
    {
        await using var receiver = await WebhookReceiver.StartAsync(async (r, c, _) =>
        {
            c.Response.ContentType = "application/json";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            try
            {
                for (var i = 0; i < 1024; i++)
                {
                    await c.Response.Body.WriteAsync(chunk, c.RequestAborted);   // 64 MiB in all, chunked
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (System.IO.IOException)
            {
            }
        });
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
        // Whether the receiver's last writes fail or vanish into a closed connection depends on timing; what the
        // validator did does not: it stopped at the limit and said so.
        server.Logs.GetSnapshot().Select(r => r.Message).Should().Contain(m => m.Contains("body over 65536 bytes", StringComparison.Ordinal));
    }

    [Test]
    public async Task AnAnswerDeclaringALengthOverTheLimit_GivesFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", Now));
        using var server = Pipeline(receiver.Url, o => o.MaxResponseBytes = 32);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
    }

    [Test]
    public async Task ARedirect_IsNotFollowed_AndGivesFailure()
    {
        await using var target = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now));
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) =>
        {
            c.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            c.Response.Headers.Location = target.Url.ToString();
            return Task.CompletedTask;
        });
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        target.Received.Should().BeEmpty();
    }

    [Test]
    public async Task ConnectionRefused_GivesFailureUnavailable()
    {
        using var server = Pipeline(ClosedPortUrl());

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.UnavailableReason);
    }

    [Test]
    public async Task ConnectionRefused_WhenUnavailableIsPending_GivesPending_AndNothingIsSpent()
    {
        using var server = Pipeline(ClosedPortUrl(), o => o.WhenUnavailable = WebhookUnavailableBehavior.Pending);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Pending);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task AFailure_IsLoggedWithTheDeliveryIdAndCause_NeverTheSecretOrTheChallenge()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, """{"decision":"allow"}""", Now, status: 500));
        using var server = Pipeline(receiver.Url);

        await ClientWithNames(server, challenge: "device-challenge-77").EnrollAsync("hook");

        var id = receiver.Received.Should().ContainSingle().Subject.Id!;
        var logs = server.Logs.GetSnapshot();
        logs.Should().Contain(l => l.Message.Contains(id, StringComparison.Ordinal) && l.Message.Contains("HTTP 500", StringComparison.Ordinal));
        logs.Should().NotContain(l => l.Message.Contains(Secret, StringComparison.Ordinal) || l.Message.Contains("device-challenge-77", StringComparison.Ordinal));
    }
}
