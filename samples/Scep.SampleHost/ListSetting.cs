using System;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace Scep.SampleHost;

/// <summary>A list setting: an array (<c>Aliases:0</c>, <c>Aliases:1</c>) or one comma-separated value (from an environment variable).</summary>
internal static class ListSetting
{
    public static string[] Values(IConfigurationSection section)
    {
        var children = section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
        return children.Length > 0
            ? children
            : (section.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }
}
