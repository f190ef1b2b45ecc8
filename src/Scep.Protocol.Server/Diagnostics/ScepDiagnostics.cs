using System.Diagnostics;

namespace Scep.Protocol.Server;

/// <summary>
/// The names under which the pipeline reports, for OpenTelemetry or any other listener: a trace per request on
/// <see cref="ActivitySourceName"/> (a server span named <c>SCEP {operation}</c> with the alias, operation, messageType,
/// outcome and status code, and child spans around the challenge check, the store's reservations, the authority and
/// the recorded decision), and the counters and histogram on <see cref="MeterName"/>. Without a listener no span is
/// made (<see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null).
/// </summary>
public static class ScepDiagnostics
{
    /// <summary>The <see cref="ActivitySource"/> of the pipeline's traces.</summary>
    public const string ActivitySourceName = "Scep.Protocol.Server";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of the pipeline's metrics.</summary>
    public const string MeterName = ScepMetrics.MeterName;

    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(ScepDiagnostics).Assembly.GetName().Version?.ToString(3));

    /// <summary>A child span of the current request, or null without a listener.</summary>
    internal static Activity? Span(string name) => Source.StartActivity(name, ActivityKind.Internal);
}
