using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// OpenTelemetry for the sample host, on with <c>SampleHost:OpenTelemetry=true</c>: the pipeline's traces
/// (<see cref="ScepDiagnostics.ActivitySourceName"/>) and metrics (<see cref="ScepDiagnostics.MeterName"/>) exported by
/// OTLP, configured by OpenTelemetry's standard <c>OTEL_*</c> settings. Off, nothing listens and no span is made.
/// </summary>
internal static class SampleHostTelemetry
{
    public static IServiceCollection AddSampleHostTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>($"{SampleHostOptions.SectionName}:{nameof(SampleHostOptions.OpenTelemetry)}"))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("scep-sample-host"))
            .WithTracing(tracing => tracing
                // ASP.NET Core's request span is the parent of the pipeline's: unrecorded, it would make the default
                // parent-based sampler drop the pipeline's spans too.
                .AddSource("Microsoft.AspNetCore")
                .AddSource(ScepDiagnostics.ActivitySourceName)
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddMeter(ScepDiagnostics.MeterName).AddOtlpExporter());
        return services;
    }
}
