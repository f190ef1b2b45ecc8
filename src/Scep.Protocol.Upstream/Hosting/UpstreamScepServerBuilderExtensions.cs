using System;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>Puts an upstream SCEP CA behind the server (docs/upstream.md).</summary>
public static class UpstreamScepServerBuilderExtensions
{
    /// <summary>
    /// Aliases whose <c>CaName</c> is <see cref="UpstreamCaOptions.CaName"/> are then served by the upstream CA, through
    /// this server as its RA; every other CA name stays with the authority, credentials and CRLs registered before
    /// (call this after them, e.g. after <c>AddIssuingAuthority</c>). Needs an <see cref="ICertificateStore"/>, which
    /// holds the queue; a background service sends and polls it.
    /// </summary>
    /// <param name="builder">The server builder.</param>
    /// <param name="configure">Sets the options (or bind them with <c>services.Configure&lt;UpstreamCaOptions&gt;</c>).</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddUpstreamCa(this ScepServerBuilder builder, Action<UpstreamCaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var optionsBuilder = services.AddOptions<UpstreamCaOptions>().ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpstreamCaOptions>, UpstreamCaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<UpstreamConnection>();
        services.TryAddSingleton(sp => new RetrySchedule(sp.GetRequiredService<IOptions<UpstreamCaOptions>>().Value));
        services.TryAddSingleton<UpstreamForwarder>();
        services.TryAddSingleton<UpstreamQueue>();
        services.AddHostedService<UpstreamWorker>();

        // The connection and the forwarder are made when first used: in pull mode, never.
        Decorate<IEnrollmentAuthority>(services, (sp, inner) => new UpstreamAuthority(
            inner ?? throw new InvalidOperationException("AddUpstreamCa needs the host's own IEnrollmentAuthority registered first (AddIssuingAuthority)."),
            sp.GetRequiredService<ICertificateStore>(),
            sp.GetRequiredService<UpstreamQueue>(),
            new Lazy<UpstreamForwarder>(sp.GetRequiredService<UpstreamForwarder>),
            sp.GetRequiredService<IOptions<UpstreamCaOptions>>()));
        Decorate<IScepCredentialProvider>(services, (sp, inner) => new UpstreamCredentials(inner, sp.GetRequiredService<IOptions<UpstreamCaOptions>>()));
        Decorate<ICrlSource>(services, (sp, inner) => new UpstreamCrlSource(
            inner, new Lazy<UpstreamConnection>(sp.GetRequiredService<UpstreamConnection>), sp.GetRequiredService<IOptions<UpstreamCaOptions>>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Replaces the last registration of <typeparamref name="TService"/> (if any) with <paramref name="wrap"/> around it.</summary>
    private static void Decorate<TService>(IServiceCollection services, Func<IServiceProvider, TService?, TService> wrap)
        where TService : class
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        if (existing is not null)
        {
            services.Remove(existing);
        }

        services.AddSingleton<TService>(sp => wrap(sp, existing is null ? null : (TService)Create(sp, existing)));
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
