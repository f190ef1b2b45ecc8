using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.AspNetCore;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Storage;
using Scep.SampleHost.AdminApi;
using Scep.SampleHost.WebConsole;

namespace Scep.SampleHost;

/// <summary>The SCEP server: Kestrel, the pipeline over the data folder's CA and the database, /health and /metrics.</summary>
internal static class SampleHostServer
{
    /// <summary>Runs until the process is stopped (Ctrl+C, SIGTERM).</summary>
    /// <exception cref="SampleHostConfigurationException">A setting or file that keeps it from starting (also the exceptions <see cref="StartupFailure"/> describes).</exception>
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = SettingsLocation.ContentRootFor(args) });
        SettingsCheck.ThrowIfInvalid(builder.Configuration);

        // A failed start is reported by Program as one line; the host's own "Hosting failed to start" entry would add
        // the stack trace (the category logs nothing else at this level in this host: it has no background services).
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.AddSampleHostScep(builder.Configuration);
        builder.Services.LoadConsoleKeysWhenFirstUsed();
        builder.Services.AddHttpLogging(options =>
        {
            // Never the query: a GET PKIOperation carries the whole pkiMessage there.
            options.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            options.CombineLogs = true;
        });

        var app = builder.Build();

        // The options' validators (an RA alias without its challenge, approval aliases in memory) run before the data
        // folder is touched: a bad setting creates no CA.
        _ = app.Services.GetRequiredService<IOptions<ScepServerOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<AdminApiOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<Scep.Protocol.Intune.IntuneOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<Scep.Protocol.Upstream.UpstreamCaOptions>>().Value;
        SampleHostNdes.ThrowIfAliasInvalid(app.Services);
        ExternalRaSettings.ThrowIfInvalid(app.Services);
        var hostOptions = app.Services.GetRequiredService<IOptions<SampleHostOptions>>().Value;
        await app.Services.InitializeSampleHostAsync(CancellationToken.None).ConfigureAwait(false);
        var cas = app.Services.GetRequiredService<CaKeyRing>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Scep.SampleHost");
        StartupLog.DataFolder(logger, app.Services.GetRequiredService<CaBootstrap>().DataDirectory, cas.CreatedCa ? "created" : "loaded", cas.Current.Certificate.Subject, cas.Current.Id);
        if (hostOptions.Store == SampleHostStore.InMemory)
        {
            StartupLog.InMemoryStore(logger);
        }
        else
        {
            var database = app.Services.GetRequiredService<ScepDatabase>();
            StartupLog.Database(logger, database.ProviderName, database.Location);
        }

        if (hostOptions.RequestLogging)
        {
            app.UseHttpLogging();
        }

        app.MapHealthChecks("/health");
        if (hostOptions.Metrics)
        {
            var metrics = app.Services.GetRequiredService<PrometheusMetrics>();
            // A plain RequestDelegate: a delegate with parameters or a result is compiled by the minimal API's request
            // delegate factory when the first request of any path builds the endpoints (about 30 ms of that request here).
            app.MapGet("/metrics", context =>
            {
                context.Response.ContentType = PrometheusMetrics.ContentType;
                return context.Response.WriteAsync(metrics.Render(), context.RequestAborted);
            });
        }

        app.MapSampleHostAdminApi();
        app.MapSampleHostConsole();

        // One authentication and authorization step for both: the admin API's scheme and the console's cookie are
        // named by their own policies, so neither authenticates the other's requests.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapScep("/scep/pkiclient.exe", "scep");
        app.MapScep("/cgi-bin/pkiclient.exe", "scep"); // RFC 8894 §4.1's default path, which clients use when given only a host
        app.MapScep("/scep/{alias}/pkiclient.exe");
        app.MapScep("/ejbca/publicweb/apply/scep/pkiclient.exe", "scep");
        app.MapScep("/ejbca/publicweb/apply/scep/{alias}/pkiclient.exe");
        app.MapSampleHostNdes();
        await app.RunAsync().ConfigureAwait(false);
    }
}

/// <summary>What the host says when it starts (never a passphrase or code).</summary>
internal static partial class StartupLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Data folder {DataDirectory}: CA {CaState}, {Subject}, SHA-256 {Fingerprint}")]
    public static partial void DataFolder(ILogger logger, string dataDirectory, string caState, string subject, string fingerprint);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Database: {Provider} at {Location}")]
    public static partial void Database(ILogger logger, string provider, string location);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Store: in memory (SampleHost:Store=InMemory): end entities, transactions and issued certificates are lost at exit, and admin commands cannot reach them")]
    public static partial void InMemoryStore(ILogger logger);
}
