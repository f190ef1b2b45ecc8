using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
