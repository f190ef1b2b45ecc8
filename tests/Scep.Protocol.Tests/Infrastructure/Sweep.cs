using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>Runs a codec over many corrupted inputs and sorts the outcomes: accepted, rejected with ScepException, or escaped.</summary>
public static class Sweep
{
    /// <summary>An exception other than <see cref="ScepException"/>, with the input that raised it (hex, for reproduction).</summary>
    public sealed record Escape(string ExceptionType, string Message, string Origin, string InputHex)
    {
        public override string ToString() => $"{ExceptionType} at {Origin}: {Message}\n  input: {InputHex}";
    }

    /// <summary>The outcome counts; <paramref name="Cpu"/> is the process's processor time, which a busy machine inflates less than the wall-clock <paramref name="Elapsed"/>.</summary>
    public sealed record Report(int Inputs, int Accepted, int Rejected, IReadOnlyList<Escape> Escaped, TimeSpan Elapsed, TimeSpan Cpu)
    {
        public IReadOnlyDictionary<ScepError, int> Reasons { get; init; } = new Dictionary<ScepError, int>();

        public override string ToString() =>
            $"{Inputs} inputs in {Elapsed.TotalMilliseconds:F0} ms ({Cpu.TotalMilliseconds:F0} ms CPU): {Accepted} accepted, {Rejected} rejected with ScepException "
            + $"({string.Join(", ", Reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"))}), {Escaped.Count} escaped";
    }

    public static Report Run(IEnumerable<byte[]> inputs, Action<byte[]> process)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        int count = 0, accepted = 0, rejected = 0;
        var reasons = new Dictionary<ScepError, int>();
        var escaped = new List<Escape>();
        foreach (var input in inputs)
        {
            count++;
            try
            {
                process(input);
                accepted++;
            }
            catch (ScepException e)
            {
                rejected++;
                reasons[e.Reason] = reasons.GetValueOrDefault(e.Reason) + 1;
            }
            catch (Exception e)
            {
                var origin = new StackTrace(e).GetFrames().Select(f => f.GetMethod())
                    .FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Scep.Protocol", StringComparison.Ordinal) == true
                        && m.DeclaringType.Namespace?.StartsWith("Scep.Protocol.Tests", StringComparison.Ordinal) != true);
                var where = origin is null ? "?" : $"{origin.DeclaringType!.Name}.{origin.Name}";
                if (!escaped.Any(x => x.ExceptionType == e.GetType().Name && x.Origin == where))
                {
                    escaped.Add(new Escape(e.GetType().Name, e.Message, where, Convert.ToHexString(input.Length > 4096 ? input[..4096] : input)));
                }
            }
        }

        self.Refresh();
        return new Report(count, accepted, rejected, escaped, stopwatch.Elapsed, self.TotalProcessorTime - cpu) { Reasons = reasons };
    }
}
