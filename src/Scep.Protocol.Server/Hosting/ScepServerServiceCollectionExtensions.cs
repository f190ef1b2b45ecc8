using System;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server;

/// <summary>Registers the SCEP server pipeline.</summary>
public static class ScepServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ScepRequestHandler"/> and its defaults (in-memory transaction store,
    /// <see cref="TimeProvider.System"/>), and the options, validated when the handler is first resolved and, in a
    /// generic host, at start-up. Calling it twice is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the aliases; configuration binding of section <c>Scep</c> works as well.</param>
    /// <returns>A builder for the host's implementations.</returns>
    public static ScepServerBuilder AddScepServer(this IServiceCollection services, Action<ScepServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ScepServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ScepServerOptions>, DeviceQuirksPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScepServerOptions>, ScepServerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IScepTransactionStore, InMemoryScepTransactionStore>();
        services.TryAddSingleton(sp => new ScepMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new EnrollmentObservers(
            sp.GetServices<IEnrollmentObserver>(),
            sp.GetRequiredService<IOptions<ScepServerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<EnrollmentObservers>>() ?? NullLogger<EnrollmentObservers>.Instance));
        services.TryAddSingleton(ScepPipeline.CreateHandler);
        return new ScepServerBuilder(services);
    }
}
