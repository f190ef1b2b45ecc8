using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>Registers the webhooks with the SCEP server.</summary>
public static class WebhookScepServerBuilderExtensions
{
    /// <summary>
    /// Adds the challenge webhook (<see cref="WebhookChallengeValidator"/>) as a challenge validator of the aliases in
    /// <see cref="WebhookChallengeOptions.Aliases"/>; the options are validated at start.
    /// </summary>
    /// <param name="builder">The SCEP server builder.</param>
    /// <param name="configure">Sets the URL, secret, aliases and limits.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddWebhookChallenge(this ScepServerBuilder builder, Action<WebhookChallengeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<WebhookChallengeOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookChallengeOptions>, WebhookOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new WebhookChallengeValidator(
            sp.GetRequiredService<IOptions<WebhookChallengeOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<WebhookChallengeValidator>>() ?? NullLogger<WebhookChallengeValidator>.Instance));
        return builder.AddChallengeValidator<WebhookChallengeValidator>();
    }

    /// <summary>
    /// Adds the notification webhook (<see cref="WebhookNotifier"/>) as an enrollment observer; the options are
    /// validated at start.
    /// </summary>
    /// <param name="builder">The SCEP server builder.</param>
    /// <param name="configure">Sets the URL, secret, events and limits.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddWebhookNotifier(this ScepServerBuilder builder, Action<WebhookNotifierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<WebhookNotifierOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookNotifierOptions>, WebhookOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new WebhookNotifier(
            sp.GetRequiredService<IOptions<WebhookNotifierOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<WebhookNotifier>>() ?? NullLogger<WebhookNotifier>.Instance));
        return builder.AddEnrollmentObserver<WebhookNotifier>();
    }
}
