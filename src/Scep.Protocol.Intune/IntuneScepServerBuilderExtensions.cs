using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Intune;

/// <summary>Registers Intune validation with the SCEP pipeline.</summary>
public static class IntuneScepServerBuilderExtensions
{
    /// <summary>
    /// Intune decides the initial enrollments of <see cref="IntuneOptions.Aliases"/> (<see cref="IntuneChallengeValidator"/>)
    /// and hears how they ended (<see cref="IntuneNotifier"/>). The options are checked at start.
    /// </summary>
    /// <param name="builder">The server builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddIntuneValidation(this ScepServerBuilder builder, Action<IntuneOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<IntuneOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IntuneOptions>, IntuneOptionsValidator>());
        // One connection (token cache, discovered URL) for the validator and the notifier.
        builder.Services.TryAddSingleton(sp => new IntuneService(sp.GetRequiredService<IOptions<IntuneOptions>>().Value));
        builder.Services.TryAddSingleton(sp => new IntuneChallengeValidator(
            sp.GetRequiredService<IOptions<IntuneOptions>>().Value, sp.GetRequiredService<IntuneService>(), sp.GetRequiredService<ILogger<IntuneChallengeValidator>>()));
        builder.Services.TryAddSingleton(sp => new IntuneNotifier(
            sp.GetRequiredService<IOptions<IntuneOptions>>().Value, sp.GetRequiredService<IntuneService>(), sp.GetRequiredService<ILogger<IntuneNotifier>>()));
        builder.AddChallengeValidator<IntuneChallengeValidator>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnrollmentObserver, IntuneNotifier>(sp => sp.GetRequiredService<IntuneNotifier>()));
        return builder;
    }
}

/// <summary>The options' problems, each naming the setting (never a secret's value).</summary>
internal sealed class IntuneOptionsValidator : IValidateOptions<IntuneOptions>
{
    public ValidateOptionsResult Validate(string? name, IntuneOptions options)
    {
        var problems = Problems(options).ToArray();
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(IntuneOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.TenantId))
        {
            yield return "Intune: TenantId is required (the tenant's GUID or domain).";
        }

        if (!Guid.TryParse(o.ClientId, out _))
        {
            yield return "Intune: ClientId is the app registration's application id, a GUID.";
        }

        if ((o.ClientSecret is null) == (o.ClientCertificate is null))
        {
            yield return "Intune: set ClientSecret or ClientCertificate (one of them).";
        }
        else if (o.ClientCertificate is { HasPrivateKey: false })
        {
            yield return "Intune: ClientCertificate has no private key.";
        }

        if (o.Aliases.Count == 0)
        {
            yield return "Intune: Aliases names no alias.";
        }

        if (o.AuthorityHost.Scheme != Uri.UriSchemeHttps || o.GraphEndpoint.Scheme != Uri.UriSchemeHttps)
        {
            yield return "Intune: AuthorityHost and GraphEndpoint must be https.";
        }

        if (o.Timeout <= TimeSpan.Zero || o.Timeout > TimeSpan.FromMinutes(2))
        {
            yield return "Intune: Timeout is more than 0 and at most 2 minutes.";
        }

        if (o.MaxResponseBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return "Intune: MaxResponseBytes is 1 KiB to 16 MiB.";
        }

        if (string.IsNullOrWhiteSpace(o.ProviderNameAndVersion))
        {
            yield return "Intune: ProviderNameAndVersion is required.";
        }
    }
}
