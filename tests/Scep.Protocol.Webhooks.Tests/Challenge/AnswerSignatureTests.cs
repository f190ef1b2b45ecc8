using System;
using System.Threading.Tasks;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Challenge;

/// <summary>Only an answer signed with the secret, now, for this delivery is followed.</summary>
public class AnswerSignatureTests : WebhookTests
{
    private const string Allow = """{"decision":"allow"}""";

    [Test]
    public async Task AnUnsignedAllow_GivesFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now, sign: false));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task AnAllowSignedForAnotherDelivery_AReplay_GivesFailure()
    {
        string? firstId = null;
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) =>
        {
            firstId ??= r.Id;
            return WebhookReceiver.AnswerAsync(c, r, Allow, Now, signedId: firstId);
        });
        using var server = Pipeline(receiver.Url);

        var first = await ClientWithNames(server, keySlot: 31).EnrollAsync("hook");
        var replayed = await ClientWithNames(server, keySlot: 32).EnrollAsync("hook");

        first.Status.Should().Be(PkiStatus.Success, "the first answer was signed for its own delivery");
        replayed.Status.Should().Be(PkiStatus.Failure);
        replayed.FailInfoText.Should().Be(WebhookChallengeValidator.InvalidAnswerReason);
    }

    [Test]
    public async Task AnAllowSignedWithAnotherSecret_GivesFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now, secret: "another-secret-0123456789abcdef-012345"));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task AStaleAllow_GivesFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now - TimeSpan.FromMinutes(6)));
        using var server = Pipeline(receiver.Url);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task ABadSignature_GivesFailure_EvenWhenUnavailableMeansPending()
    {
        await using var receiver = await WebhookReceiver.StartAsync((r, c, _) => WebhookReceiver.AnswerAsync(c, r, Allow, Now, sign: false));
        using var server = Pipeline(receiver.Url, o => o.WhenUnavailable = WebhookUnavailableBehavior.Pending);

        var reply = await ClientWithNames(server).EnrollAsync("hook");

        reply.Status.Should().Be(PkiStatus.Failure);
    }
}
