using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// Certificates issued per hour over the last 24 hours, for the dashboard's bar chart (inline SVG, drawn on the server)
/// and the table next to it that says the same in text.
/// </summary>
public sealed class EnrollmentChart
{
    public const int Hours = 24;

    public const int Width = 720;

    public const int Height = 180;

    private const int Top = 10;

    private const int Bottom = 24;

    private EnrollmentChart(IReadOnlyList<(DateTimeOffset Hour, int Count)> buckets) => Buckets = buckets;

    /// <summary>Each hour (its start, UTC) and how many certificates were issued in it, oldest first; the last is the current hour.</summary>
    public IReadOnlyList<(DateTimeOffset Hour, int Count)> Buckets { get; }

    public int Total => Buckets.Sum(b => b.Count);

    /// <summary>The scale's top: the largest count, at least 1.</summary>
    public int Max => Math.Max(1, Buckets.Max(b => b.Count));

    public static EnrollmentChart Of(IEnumerable<DateTimeOffset> issuedAt, DateTimeOffset now)
    {
        var current = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, now.UtcDateTime.Day, now.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        var first = current.AddHours(-(Hours - 1));
        var counts = new int[Hours];
        foreach (var at in issuedAt)
        {
            var index = (int)Math.Floor((at - first).TotalHours);
            if (index is >= 0 and < Hours)
            {
                counts[index]++;
            }
        }

        return new EnrollmentChart([.. counts.Select((c, i) => (first.AddHours(i), c))]);
    }

    /// <summary>Where bar <paramref name="index"/> is drawn: x, y, width, height in the SVG's coordinates.</summary>
    public (int X, int Y, int Width, int Height) Bar(int index)
    {
        var slot = Width / Hours;
        var plot = Height - Top - Bottom;
        var height = (int)Math.Round(plot * (double)Buckets[index].Count / Max);
        return (index * slot + 3, Top + plot - height, slot - 6, height);
    }

    public static int Baseline => Height - Bottom;
}
