using System;
using System.Globalization;

namespace Scep.SampleHost.Admin;

/// <summary>The <c>--valid-for</c> of an enrollment code: <c>90m</c>, <c>24h</c>, <c>7d</c>, or a TimeSpan such as <c>01:30:00</c>.</summary>
internal static class CodeValidity
{
    public const string Help = "How long the code works: 90m, 24h, 7d or hh:mm:ss (default: until it is used)";

    /// <exception cref="FormatException">Not a positive duration (a usage error, exit code 2).</exception>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        TimeSpan? span = trimmed[^1] switch
        {
            'm' or 'h' or 'd' when double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 => trimmed[^1] switch
            {
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            },
            _ => TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero ? parsed : null,
        };
        return span ?? throw new FormatException($"--valid-for '{text}' is not a duration such as 90m, 24h, 7d or 01:30:00.");
    }
}
