using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Storage;
using Scep.SampleHost.AdminApi;
using Scep.SampleHost.WebConsole;

namespace Scep.SampleHost;

/// <summary>The sample host's services, shared by the web server and the admin commands.</summary>
public static class SampleHostServices
{
    /// <summary>The connection string that switches from SQLite to PostgreSQL (<c>ConnectionStrings:Scep</c>).</summary>
    public const string ConnectionStringName = "Scep";

    /// <summary>
    /// Data folder, CA keys, the SCEP server's options, the database stores (package Scep.Protocol.Server.Storage), the
    /// issuing authority and the administration: what the web server and the admin commands share.
    /// </summary>
    public static IServiceCollection AddSampleHostCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SampleHostOptions>().Bind(configuration.GetSection(SampleHostOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CaBootstrap>();
        services.TryAddSingleton<CaKeyRing>();
        services.Configure<ScepServerOptions>(configuration.GetSection("Scep"));
        services.AddOptions<IssuingAuthorityOptions>()
            .Bind(configuration.GetSection(IssuingSectionName))
            .Configure<IOptions<SampleHostOptions>>((issuing, host) => host.Value.ApplyTo(issuing, configuration.GetSection(IssuingSectionName)));
        services.AddScepServer()
            .AddCredentialProvider<CaKeyRing>()
            .AddDatabaseStores(sp => ScepDatabase.Create(
                Path.Combine(sp.GetRequiredService<CaBootstrap>().DataDirectory, sp.GetRequiredService<IOptions<SampleHostOptions>>().Value.SqliteFileName),
                configuration.GetConnectionString(ConnectionStringName)))
            .AddIssuingAuthority();
        services.TryAddSingleton<DatabaseAuditLog>();
        services.TryAddSingleton<AdminActor>(sp => new AdminActor(sp.GetService<Microsoft.AspNetCore.Http.IHttpContextAccessor>()));
        services.TryAddSingleton<Administration>();
        services.TryAddSingleton<UpstreamAdministration>();
        return services;
    }

    /// <summary>The configuration section of the certificate profile and the authority (<c>Issuing:Profile:Validity</c>, ...).</summary>
    public const string IssuingSectionName = "Issuing";

    /// <summary>The SCEP pipeline over the database (or, with <c>SampleHost:Store=InMemory</c>, the server's memory) and the data folder's CA.</summary>
    public static IServiceCollection AddSampleHostScep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSampleHostCore(configuration);
        services.AddOptions<SampleHostOptions>()
            .Validate(o => o.Store != SampleHostStore.InMemory || o.ApprovalAliases.Count == 0, "SampleHost:ApprovalAliases needs SampleHost:Store=Database: approve and reject are admin commands, which cannot reach the server's memory.")
            .ValidateOnStart();

        // SampleHost:Store picks the stores when they are first resolved, from the options (configuration that a test
        // host adds arrives after this registration). The issuing authority is the same either way.
        services.TryAddSingleton<InMemoryEndEntityStore>();
        services.TryAddSingleton<InMemoryScepTransactionStore>();
        services.TryAddSingleton<InMemoryCertificateStore>();
        Select<IEndEntityStore, DatabaseEndEntityStore, InMemoryEndEntityStore>(services);
        Select<IScepTransactionStore, DatabaseTransactionStore, InMemoryScepTransactionStore>(services);
        Select<ICertificateStore, DatabaseCertificateStore, InMemoryCertificateStore>(services);
        services.TryAddSingleton<PrometheusMetrics>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddSampleHostAdminApi(configuration);
        services.AddSampleHostConsole(configuration);
        services.AddSampleHostWebhooks(configuration);
        services.AddSampleHostIntune(configuration);
        services.AddSampleHostNdes(configuration);
        services.AddSampleHostTelemetry(configuration);
        services.AddSampleHostUpstream(configuration);
        services.AddSampleHostExternalRa(configuration);
        return services;
    }

    /// <summary>Loads (or creates) the CA and migrates the database schema (unless the store is in memory): call once at start.</summary>
    public static async Task InitializeSampleHostAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<CaKeyRing>().Current;
        if (services.GetRequiredService<IOptions<SampleHostOptions>>().Value.Store == SampleHostStore.Database)
        {
            await services.GetRequiredService<ScepDatabase>().InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Select<TService, TDatabase, TInMemory>(IServiceCollection services)
        where TService : class
        where TDatabase : class, TService
        where TInMemory : class, TService =>
        services.Replace(ServiceDescriptor.Singleton<TService>(sp =>
            sp.GetRequiredService<IOptions<SampleHostOptions>>().Value.Store == SampleHostStore.InMemory
                ? sp.GetRequiredService<TInMemory>()
                : sp.GetRequiredService<TDatabase>()));
}

/// <summary><c>/health</c>: the database answers (unless the store is in memory) and the CA loads.</summary>
internal sealed class DatabaseHealthCheck(IServiceProvider services, CaKeyRing cas, IOptions<SampleHostOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = options.Value.Store == SampleHostStore.InMemory ? null : services.GetRequiredService<ScepDatabase>();
        try
        {
            _ = cas.Current;
            if (database is null)
            {
                return HealthCheckResult.Healthy("CA loaded; store in memory.");
            }

            await database.CheckAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{database.ProviderName} reachable; CA loaded.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(database is null ? "The CA is not available." : $"{database.ProviderName} or the CA is not available.", e);
        }
    }
}
