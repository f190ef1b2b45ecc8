using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace Scep.Cli;

/// <summary>CPU time and memory of a process, as Linux reports them in /proc (for <c>scep bench --server-pid</c>).</summary>
internal static class ProcessMeter
{
    /// <summary>
    /// Linux reports utime and stime in USER_HZ ticks, which the kernel ABI fixes at 100 per second on every
    /// architecture .NET runs on (what <c>getconf CLK_TCK</c> prints).
    /// </summary>
    private const double MillisecondsPerTick = 10;

    public static bool IsSupported => OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    /// <summary>Whether <paramref name="pid"/> names a running process whose /proc entries we can read.</summary>
    public static bool Exists(int pid) => IsSupported && File.Exists($"/proc/{pid}/stat");

    /// <summary>User + system CPU time of the whole process (every thread), in milliseconds, at 10 ms resolution.</summary>
    public static double CpuMilliseconds(int pid) => Stat(pid) is { } stat ? stat.Own * MillisecondsPerTick : 0;

    /// <summary>
    /// CPU time of a process, of its children that it has waited for, and of its living children, in milliseconds: for
    /// relays such as <c>socat ... fork</c>, which serve each connection in a child process.
    /// </summary>
    public static double TreeCpuMilliseconds(int pid)
    {
        var ticks = Stat(pid) is { } parent ? parent.Own + parent.WaitedChildren : 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && child != pid
                && Stat(child) is { } stat
                && stat.ParentPid == pid)
            {
                ticks += stat.Own + stat.WaitedChildren;
            }
        }

        return ticks * MillisecondsPerTick;
    }

    /// <summary>The resident set (VmRSS) and its peak since the process started (VmHWM), in KiB; 0 when absent.</summary>
    public static (long RssKiB, long PeakKiB) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }

        return (rss, peak);
    }

    /// <summary>
    /// CPU time of the calling thread in milliseconds, nanosecond resolution (/proc/thread-self/schedstat);
    /// elapsed time where that is not available.
    /// </summary>
    public static double ThreadCpuMilliseconds()
    {
        if (IsSupported && File.Exists("/proc/thread-self/schedstat"))
        {
            var text = File.ReadAllText("/proc/thread-self/schedstat");
            var nanoseconds = long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
            return nanoseconds / 1e6;
        }

        return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>CPU time of this process (every thread), in milliseconds.</summary>
    public static double OwnCpuMilliseconds()
    {
        if (IsSupported)
        {
            return CpuMilliseconds(Environment.ProcessId);
        }

        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalMilliseconds;
    }

    /// <summary>Fields of /proc/PID/stat, in ticks; null when the process is gone.</summary>
    private static (int ParentPid, long Own, long WaitedChildren)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count the fields after the last ')'.
        // fields[0] is field 3 (state), ppid field 4, utime 14, stime 15, cutime 16, cstime 17.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }

    private static long Kilobytes(string line)
    {
        var digits = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        var end = digits.IndexOf(' ');
        return long.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
