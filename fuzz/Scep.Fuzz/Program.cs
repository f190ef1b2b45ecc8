using System;
using System.IO;
using SharpFuzz;

namespace Scep.Fuzz;

/// <summary>
/// The fuzz target for the Scep.Protocol decoders. Modes:
/// <list type="bullet">
/// <item><c>Scep.Fuzz</c> (no arguments): the AFL++ fork server; one input per run from AFL's stdin or file.</item>
/// <item><c>Scep.Fuzz seeds DIR</c>: writes the seed corpus (valid inputs of every kind) to DIR.</item>
/// <item><c>Scep.Fuzz replay PATH...</c>: runs files or folders of inputs once each and reports every input that
/// throws anything but the documented <c>ScepException</c> (triage of AFL's crashes and hangs).</item>
/// </list>
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var pki = FuzzPki.Load(Path.Combine(AppContext.BaseDirectory, "pki"));
        if (args is ["seeds", var directory])
        {
            var count = Seeds.Write(directory, pki);
            Console.WriteLine($"wrote {count} seeds to {directory}");
            return 0;
        }

        if (args.Length >= 2 && args[0] == "replay")
        {
            return Replay(args[1..], pki);
        }

        var target = new DecoderTarget(pki);
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    }

    private static int Replay(string[] paths, FuzzPki pki)
    {
        var target = new DecoderTarget(pki);
        var files = 0;
        var failures = 0;
        foreach (var path in paths)
        {
            var inputs = Directory.Exists(path) ? Directory.GetFiles(path) : [path];
            Array.Sort(inputs, StringComparer.Ordinal);
            foreach (var file in inputs)
            {
                if (Path.GetFileName(file).StartsWith("README", StringComparison.Ordinal))
                {
                    continue;
                }

                files++;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    target.Run(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"{file}: {e.GetType().FullName}: {e.Message}");
                    Console.WriteLine(e.StackTrace);
                }

                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (elapsed.TotalMilliseconds > 500)
                {
                    Console.WriteLine($"{file}: slow, {elapsed.TotalMilliseconds:F0} ms");
                }
            }
        }

        Console.WriteLine($"replayed {files} inputs, {failures} escaped exceptions");
        return failures == 0 ? 0 : 1;
    }
}
