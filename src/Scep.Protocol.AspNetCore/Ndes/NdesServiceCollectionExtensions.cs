using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.AspNetCore;

/// <summary>Registers the NDES drop-in: its options, the password cache and the challenge validator of the NDES alias.</summary>
public static class NdesServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="NdesOptions"/>, one <see cref="NdesPasswordCache"/> (on the registered <see cref="TimeProvider"/>,
    /// the system clock when none) and the validator that makes the NDES alias's enrollments spend a password. Then
    /// map the routes with <see cref="NdesEndpointRouteBuilderExtensions.MapNdes"/>.
    /// </summary>
    /// <param name="builder">The SCEP server builder.</param>
    /// <param name="configure">Sets the alias, users or API keys, and the cache's limits.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddScepNdes(this ScepServerBuilder builder, Action<NdesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<NdesOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => !string.IsNullOrEmpty(o.Alias), "NdesOptions.Alias names the alias of the NDES URLs.")
            .Validate(o => o.PasswordMax >= 1, "NdesOptions.PasswordMax is at least 1.")
            .Validate(o => o.PasswordValidity > TimeSpan.Zero, "NdesOptions.PasswordValidity is positive.")
            .Validate(o => o.Users.Count + o.ApiKeys.Count > 0, "NdesOptions needs at least one user or API key for the admin page.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NdesOptions>>().Value;
            return new NdesPasswordCache(o.PasswordValidity, o.PasswordMax, sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        builder.AddChallengeValidator<NdesChallengeValidator>();
        return builder;
    }
}
