using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;
using Scep.SampleHost.Storage;

namespace Scep.SampleHost;

/// <summary>The sample host's services, shared by the web server and the admin commands.</summary>
public static class SampleHostServices
{
    /// <summary>The connection string that switches from SQLite to PostgreSQL (<c>ConnectionStrings:Scep</c>).</summary>
    public const string ConnectionStringName = "Scep";

    /// <summary>Data folder, CA keys, database, stores, authority, CRLs, administration.</summary>
    public static IServiceCollection AddSampleHostCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SampleHostOptions>().Bind(configuration.GetSection(SampleHostOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CaBootstrap>();
        services.TryAddSingleton<CaKeyRing>();
        services.TryAddSingleton<ScepDatabase>(sp => ScepDatabase.Create(
            sp.GetRequiredService<CaBootstrap>().DataDirectory,
            sp.GetRequiredService<IOptions<SampleHostOptions>>().Value.SqliteFileName,
            configuration.GetConnectionString(ConnectionStringName)));
        services.TryAddSingleton<DatabaseEndEntityStore>();
        services.TryAddSingleton<DatabaseTransactionStore>();
        services.TryAddSingleton<CertificateRepository>();
        services.TryAddSingleton<CrlService>();
        services.TryAddSingleton<DatabaseEnrollmentAuthority>();
        services.TryAddSingleton<Administration>();
        return services;
    }

    /// <summary>The SCEP pipeline over the database and the data folder's CA.</summary>
    public static IServiceCollection AddSampleHostScep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSampleHostCore(configuration);
        services.Configure<ScepServerOptions>(configuration.GetSection("Scep"));
        services.AddScepServer()
            .AddEnrollmentAuthority<DatabaseEnrollmentAuthority>()
            .AddCrlSource<DatabaseEnrollmentAuthority>()
            .AddEndEntityStore<DatabaseEndEntityStore>()
            .AddTransactionStore<DatabaseTransactionStore>()
            .AddCredentialProvider<CaKeyRing>();
        services.TryAddSingleton<PrometheusMetrics>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    /// <summary>Loads (or creates) the CA and creates the database schema: call once at start.</summary>
    public static async Task InitializeSampleHostAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<CaKeyRing>().Current;
        await services.GetRequiredService<ScepDatabase>().InitializeAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>/health</c>: the database answers and the CA loads.</summary>
internal sealed class DatabaseHealthCheck(ScepDatabase database, CaKeyRing cas) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = cas.Current;
            await database.QueryAsync("SELECT 1", [], r => r.GetValue(0), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{database.ProviderName} reachable; CA loaded.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{database.ProviderName} or the CA is not available.", e);
        }
    }
}
