using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Scep.SampleHost.Tests.Readme;

/// <summary>One marked ```sh block of the README: a server to start in the background (with the URL that says it is ready) or commands to run.</summary>
/// <param name="ReadyUrl">For a server block, the URL that answers once it is up; null for a block to run.</param>
/// <param name="Commands">The block's text, as written.</param>
public sealed record ReadmeBlock(string? ReadyUrl, string Commands)
{
    public bool IsServer => ReadyUrl is not null;
}

/// <summary>
/// The README's tested commands: each ```sh block right after a line <c>&lt;!-- readme-test: server URL --&gt;</c> or
/// <c>&lt;!-- readme-test: run --&gt;</c> (README.md explains the markers in a comment above its quick start), and
/// the bash script that runs them as written.
/// </summary>
public static partial class ReadmeQuickStart
{
    public static IReadOnlyList<ReadmeBlock> Parse(string readme)
    {
        ArgumentNullException.ThrowIfNull(readme);
        var lines = readme.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<ReadmeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (Marker().Match(lines[i]) is not { Success: true } marker)
            {
                continue;
            }

            var fence = i + 1;
            if (fence >= lines.Length || lines[fence] != "```sh")
            {
                throw new FormatException($"README.md line {i + 1}: a readme-test marker must be followed by a ```sh block.");
            }

            var end = Array.IndexOf(lines, "```", fence + 1);
            if (end < 0)
            {
                throw new FormatException($"README.md line {fence + 1}: the ```sh block does not end.");
            }

            var url = marker.Groups["url"].Success ? marker.Groups["url"].Value : null;
            blocks.Add(new ReadmeBlock(url, string.Join('\n', lines[(fence + 1)..end])));
            i = end;
        }

        return blocks;
    }

    /// <summary>
    /// A bash script that starts the server blocks in the background (each in its own process group, stopped when the
    /// script ends), waits until their URL answers, then runs the other blocks in order; the first failing command
    /// ends it with its exit code. Servers' output goes to <paramref name="logDirectory"/>/server-N.log.
    /// </summary>
    public static string Script(IReadOnlyList<ReadmeBlock> blocks, string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var script = new StringBuilder();
        script.Append("""
            set -euo pipefail
            set -m  # every background block in its own process group, so that all of it can be stopped
            servers=()
            stop_servers() { for pid in "${servers[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
            trap stop_servers EXIT

            """);
        var server = 0;
        foreach (var block in blocks.Where(b => b.IsServer))
        {
            server++;
            var log = $"{logDirectory}/server-{server}.log";
            script.Append(CultureInfo.InvariantCulture, $$"""
                echo '### readme-test: server {{server}}'
                (
                {{block.Commands}}
                ) >'{{log}}' 2>&1 &
                servers+=($!)
                for attempt in $(seq 1 600); do
                  curl -fs -o /dev/null --max-time 2 '{{block.ReadyUrl}}' && break
                  kill -0 "${servers[-1]}" 2>/dev/null || { echo 'server block {{server}} exited before {{block.ReadyUrl}} answered' >&2; exit 90; }
                  (( attempt < 600 )) || { echo '{{block.ReadyUrl}} did not answer' >&2; exit 91; }
                  sleep 0.5
                done

                """);
        }

        var run = 0;
        foreach (var block in blocks.Where(b => !b.IsServer))
        {
            run++;
            script.Append(CultureInfo.InvariantCulture, $"echo '### readme-test: run {run}'\n").Append(block.Commands).Append("\n\n");
        }

        script.Append("echo '### readme-test: done'\n");
        return script.ToString();
    }

    [GeneratedRegex(@"^<!-- readme-test: (?:server (?<url>\S+)|run) -->$")]
    private static partial Regex Marker();
}
