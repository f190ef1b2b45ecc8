using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scep.Protocol.Server;

/// <summary>The pipeline's instruments, on the meter <see cref="MeterName"/>.</summary>
internal sealed class ScepMetrics : IDisposable
{
    public const string MeterName = "Scep.Protocol.Server";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _issued;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _duration;

    public ScepMetrics(IMeterFactory? meterFactory)
    {
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownedMeter = new Meter(MeterName);
        }
        else
        {
            meter = meterFactory.Create(MeterName);
        }

        _requests = meter.CreateCounter<long>("scep.server.requests", "{request}", "SCEP requests handled, by alias, operation and outcome.");
        _issued = meter.CreateCounter<long>("scep.server.certificates_issued", "{certificate}", "Certificates delivered in SUCCESS replies to enrollments.");
        _failures = meter.CreateCounter<long>("scep.server.failures", "{reply}", "FAILURE CertReps sent, by failInfo.");
        _duration = meter.CreateHistogram<double>("scep.server.request.duration", "ms", "Time to handle one SCEP request.");
    }

    public void Request(string alias, string operation, string outcome, double milliseconds)
    {
        var tags = new TagList { { "scep.alias", alias }, { "scep.operation", operation }, { "scep.outcome", outcome } };
        _requests.Add(1, tags);
        _duration.Record(milliseconds, tags);
    }

    public void Issued(string alias) => _issued.Add(1, new KeyValuePair<string, object?>("scep.alias", alias));

    public void Failure(string alias, FailInfo failInfo) =>
        _failures.Add(1, new KeyValuePair<string, object?>("scep.alias", alias), new KeyValuePair<string, object?>("scep.fail_info", failInfo.ToString()));

    public void Dispose() => _ownedMeter?.Dispose();
}
