using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;
using Scep.Protocol.Webhooks.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Hosting;

/// <summary>Bad webhook configuration is refused at start with a message that names the setting and never the secret.</summary>
public class OptionsValidationTests
{
    private const string Secret = WebhookTests.Secret;

    [TestCase("http://hooks.example.com/scep", true, Secret, "https")]
    [TestCase("http://127.0.0.1:8080/scep", false, Secret, "https")]
    [TestCase("ftp://hooks.example.com/scep", false, Secret, "absolute https")]
    [TestCase("https://hooks.example.com/scep", false, "short-secret", "at least 32 characters")]
    [TestCase("https://hooks.example.com/scep", false, "", "Secret must be set")]
    public void ABadChallengeWebhook_IsRefused_WithoutTheSecretInTheMessage(string url, bool allowHttp, string secret, string expected)
    {
        var act = () => Resolve<WebhookChallengeOptions>(b => b.AddWebhookChallenge(o =>
        {
            o.Url = new Uri(url);
            o.Secret = secret;
            o.AllowInsecureHttp = allowHttp;
            o.Aliases.Add("hook");
        }));

        var message = act.Should().Throw<OptionsValidationException>().Which.Message;
        message.Should().Contain(expected);
        if (secret.Length > 0)
        {
            message.Should().NotContain(secret);
        }
    }

    [Test]
    public void AChallengeWebhookWithoutAliases_IsRefused()
    {
        var act = () => Resolve<WebhookChallengeOptions>(b => b.AddWebhookChallenge(o =>
        {
            o.Url = new Uri("https://hooks.example.com/scep");
            o.Secret = Secret;
        }));

        act.Should().Throw<OptionsValidationException>().WithMessage("*Aliases*");
    }

    [Test]
    public void ALoopbackHttpWebhookWithAllowInsecureHttp_IsAccepted_AndItsToStringHidesTheSecret()
    {
        var options = Resolve<WebhookNotifierOptions>(b => b.AddWebhookNotifier(o =>
        {
            o.Url = new Uri("http://127.0.0.1:9000/events");
            o.Secret = Secret;
            o.AllowInsecureHttp = true;
        }));

        options.Events.Should().BeEquivalentTo([EnrollmentEventKind.Issued, EnrollmentEventKind.Refused, EnrollmentEventKind.Revoked]);
        options.ToString().Should().NotContain(Secret).And.Contain("secret set");
    }

    [Test]
    public void TheRegisteredValidatorAndNotifier_AreTheSameInstancesTheServerUses()
    {
        var services = new ServiceCollection();
        services.AddScepServer(o => o.Aliases["hook"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra })
            .AddWebhookChallenge(o => { o.Url = new Uri("https://hooks.example.com/a"); o.Secret = Secret; o.Aliases.Add("hook"); })
            .AddWebhookNotifier(o => { o.Url = new Uri("https://hooks.example.com/b"); o.Secret = Secret; })
            .AddWebhookChallenge(o => { });
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IChallengeValidator>().Should().ContainSingle("adding it twice adds it once");
        provider.GetServices<IEnrollmentObserver>().Should().ContainSingle();
        provider.GetRequiredService<WebhookChallengeValidator>().Should().BeSameAs(provider.GetRequiredService<WebhookChallengeValidator>());
    }

    private static T Resolve<T>(Action<ScepServerBuilder> build)
        where T : class
    {
        var services = new ServiceCollection();
        build(services.AddScepServer(o => o.Aliases["hook"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra }));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }
}
