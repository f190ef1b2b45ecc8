using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.AspNetCore;

/// <summary>Maps Microsoft NDES's URLs (needs <see cref="NdesServiceCollectionExtensions.AddScepNdes"/>).</summary>
public static class NdesEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/certsrv/mscep/mscep.dll</c> and <c>/certsrv/mscep/mscep.dll/pkiclient.exe</c> to the SCEP pipeline for
    /// <see cref="NdesOptions.Alias"/>, and GET/HEAD <c>/certsrv/mscep_admin/</c> (with and without the slash) to the
    /// page that hands out one-time enrollment passwords. Other methods on the admin page get 405.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <returns>The admin page's convention builder (to add rate limiting, host filters ...).</returns>
    public static IEndpointConventionBuilder MapNdes(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<NdesOptions>>().Value;
        ArgumentException.ThrowIfNullOrEmpty(options.Alias, "NdesOptions.Alias");

        // Checked here, not by an options validator: the server options' validator asks for the challenge validators,
        // the NDES one needs the password cache, and the cache these options; a validator of these options asking for
        // the server options would close that circle.
        var scep = services.GetRequiredService<IOptions<ScepServerOptions>>().Value;
        if (!scep.Aliases.TryGetValue(options.Alias, out var alias) || alias is not { Mode: ScepOperationMode.Ra, RaChallenge: null })
        {
            throw new InvalidOperationException($"NdesOptions.Alias '{options.Alias}' must name an RA-mode alias without RaChallenge (its enrollments are authorized by the admin page's passwords only).");
        }

        endpoints.MapScep("/certsrv/mscep/mscep.dll", options.Alias);
        endpoints.MapScep("/certsrv/mscep/mscep.dll/pkiclient.exe", options.Alias);
        var admin = new NdesAdminEndpoint(
            services.GetRequiredService<NdesPasswordCache>(),
            options,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<NdesAdminEndpoint>>());
        return endpoints
            .MapMethods("/certsrv/mscep_admin/", ["GET", "HEAD"], admin.HandleAsync)
            .WithDisplayName("NDES mscep_admin");
    }
}
