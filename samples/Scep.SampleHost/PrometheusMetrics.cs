using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Text;
using System.Threading;

namespace Scep.SampleHost;

/// <summary>
/// Collects the SCEP pipeline's instruments (meter <c>Scep.Protocol.Server</c>) with a <see cref="MeterListener"/>
/// and writes them in the Prometheus text format for <c>/metrics</c>: counters as <c>..._total</c>, the duration
/// histogram as <c>_bucket</c>/<c>_sum</c>/<c>_count</c>. Only meters of this host's <see cref="IMeterFactory"/> are
/// read, so two hosts in one process (tests) do not mix.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    public const string MeterName = "Scep.Protocol.Server";
    private static readonly double[] Bounds = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusMetrics(IMeterFactory meterFactory)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    _series.TryAdd(instrument, new Series(instrument));
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The text exposition format's content type.</summary>
    public static string ContentType => "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Every series, in the Prometheus text format: the pipeline's, then the process's and the .NET runtime's.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal))
        {
            series.Render(text);
        }

        RenderRuntime(text);
        return text.ToString();
    }

    /// <summary>
    /// CPU, memory, JIT and GC of this process, read when scraped. The JIT's series show when a server has finished
    /// compiling its hot paths (bench/compare.sh waits for that before it measures).
    /// </summary>
    private static void RenderRuntime(StringBuilder text)
    {
        using var process = Process.GetCurrentProcess();
        Scalar(text, "process_cpu_seconds_total", "counter", "User and system CPU time of the process.", process.TotalProcessorTime.TotalSeconds);
        Scalar(text, "process_resident_memory_bytes", "gauge", "Resident memory of the process.", process.WorkingSet64);
        Scalar(text, "dotnet_jit_compilation_seconds_total", "counter", "Time the JIT has spent compiling methods.", JitInfo.GetCompilationTime().TotalSeconds);
        Scalar(text, "dotnet_jit_compiled_methods_total", "counter", "Methods the JIT has compiled (a method compiled again at a higher tier counts again).", JitInfo.GetCompiledMethodCount());
        Scalar(text, "dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap.", GC.GetTotalAllocatedBytes());
        Header(text, "dotnet_gc_collections_total", "counter", "Garbage collections, by generation (a collection of generation 1 counts for generation 0 too).");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }
    }

    private static void Scalar(StringBuilder text, string name, string type, string help, double value)
    {
        Header(text, name, type, help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {Number(value)}\n");
    }

    /// <summary>A series' <c># HELP</c> and <c># TYPE</c> lines.</summary>
    private static void Header(StringBuilder text, string name, string type, string? help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    /// <summary>
    /// A counter's totals since the host started, by label set (<c>name="value"</c> pairs as in <see cref="Render"/>,
    /// with the tag names' dots as underscores); empty before its first measurement. The web console's dashboard reads them.
    /// </summary>
    public IReadOnlyList<(string Labels, double Value)> Totals(string instrumentName) =>
        _series.Values.FirstOrDefault(s => s.Instrument.Name == instrumentName)?.Totals() ?? [];

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, Labels(tags));
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add($"{Name(tag.Key)}=\"{Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Name(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument's values by label set.</summary>
    private sealed class Series(Instrument instrument)
    {
        private readonly Lock _lock = new();
        private readonly SortedDictionary<string, double[]> _values = new(StringComparer.Ordinal);

        public Instrument Instrument { get; } = instrument;

        private bool IsHistogram => Instrument is Histogram<double> or Histogram<long> or Histogram<int>;

        private string BaseName => Name(Instrument.Name) + (Instrument.Unit == "ms" ? "_milliseconds" : string.Empty);

        public void Record(double value, string labels)
        {
            lock (_lock)
            {
                if (!_values.TryGetValue(labels, out var cells))
                {
                    // Counter: [sum]. Histogram: [sum, count, one cell per bound].
                    cells = new double[IsHistogram ? 2 + Bounds.Length : 1];
                    _values[labels] = cells;
                }

                cells[0] += value;
                if (IsHistogram)
                {
                    cells[1]++;
                    for (var i = 0; i < Bounds.Length; i++)
                    {
                        if (value <= Bounds[i])
                        {
                            cells[2 + i]++;
                        }
                    }
                }
            }
        }

        public IReadOnlyList<(string Labels, double Value)> Totals()
        {
            lock (_lock)
            {
                return [.. _values.Select(v => (v.Key, v.Value[0]))];
            }
        }

        public void Render(StringBuilder text)
        {
            var name = IsHistogram ? BaseName : BaseName + "_total";
            lock (_lock)
            {
                Header(text, name, IsHistogram ? "histogram" : "counter", Instrument.Description);
                foreach (var (labels, cells) in _values)
                {
                    if (!IsHistogram)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {Number(cells[0])}\n");
                        continue;
                    }

                    var prefix = labels.Length == 0 ? string.Empty : labels + ",";
                    for (var i = 0; i < Bounds.Length; i++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{Number(Bounds[i])}\"}} {Number(cells[2 + i])}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {Number(cells[1])}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {Number(cells[0])}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {Number(cells[1])}\n");
                }
            }
        }
    }
}
