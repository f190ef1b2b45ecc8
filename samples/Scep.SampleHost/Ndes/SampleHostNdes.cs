using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.AspNetCore;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// The NDES drop-in (docs/ndes.md), off unless the section <c>Ndes</c> names an alias: <c>Ndes:Alias</c> (an RA-mode
/// alias without RaChallenge), <c>Ndes:Users:NAME</c> (password), <c>Ndes:ApiKeys:0..</c>, <c>Ndes:PasswordValidity</c>
/// (hh:mm:ss, default 01:00:00), <c>Ndes:PasswordMax</c> (default 5), <c>Ndes:AllowBasicOverHttp</c> (loopback only).
/// </summary>
public static class SampleHostNdes
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ndes";

    /// <summary>Registers the password cache and the NDES alias's validator when <c>Ndes:Alias</c> is set.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSampleHostNdes(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        if (string.IsNullOrEmpty(section[nameof(NdesOptions.Alias)]))
        {
            return services;
        }

        services.AddScepServer().AddScepNdes(options => section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
        return services;
    }

    /// <summary>
    /// Before anything is created: when the drop-in is on, <c>Ndes:Alias</c> must name an RA-mode alias without
    /// RaChallenge (MapNdes checks it too, but only when the routes are mapped, after the data folder is set up).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <exception cref="SampleHostConfigurationException">The alias is missing or not such an alias.</exception>
    public static void ThrowIfAliasInvalid(IServiceProvider services)
    {
        if (services.GetService<NdesPasswordCache>() is null)
        {
            return;
        }

        var alias = services.GetRequiredService<IOptions<NdesOptions>>().Value.Alias;
        var aliases = services.GetRequiredService<IOptions<ScepServerOptions>>().Value.Aliases;
        if (!aliases.TryGetValue(alias, out var options) || options is not { Mode: ScepOperationMode.Ra, RaChallenge: null })
        {
            throw new SampleHostConfigurationException($"Ndes:Alias '{alias}' must name an RA-mode alias without RaChallenge (Scep:Aliases:{alias}:Mode=Ra): the admin page's passwords authorize its enrollments.");
        }
    }

    /// <summary>Maps /certsrv/mscep/mscep.dll and /certsrv/mscep_admin/ when the drop-in is on.</summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static WebApplication MapSampleHostNdes(this WebApplication app)
    {
        if (app.Services.GetService<NdesPasswordCache>() is not null)
        {
            app.MapNdes();
        }

        return app;
    }
}
