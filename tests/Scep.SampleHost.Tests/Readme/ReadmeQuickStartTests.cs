using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Readme;

/// <summary>
/// README.md's quick start, run as written: the marked ```sh blocks (see <see cref="ReadmeQuickStart"/>) in bash on a
/// scratch copy of the repository (the files git tracks, plus new ones it does not ignore), where the sample host is
/// built once. The server block runs in the background; the others register two devices and enroll them with
/// micromdm's scepclient and with certmonger, and openssl verifies both certificates. As root the whole run gets a
/// private network namespace, so the README's fixed port 8080 is always free and nothing else is reached.
/// </summary>
[NonParallelizable]
public class ReadmeQuickStartTests
{
    /// <summary>The settings a stranger's shell would not have: the test run's own (CI=true, the test host's variables, MSBuild's).</summary>
    private static readonly string[] RemovedVariablePrefixes =
        ["CI", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "SCEP_", "Scep__", "SampleHost__", "ConnectionStrings__", "MSBuild", "MSBUILD", "DOTNET_HOST_PATH", "VSTEST", "TESTINGPLATFORM"];

    private static string Root => RepositoryRoot.Path;

    private static IReadOnlyList<ReadmeBlock> Blocks => ReadmeQuickStart.Parse(File.ReadAllText(Path.Combine(Root, "README.md")));

    [Test]
    public void QuickStart_MarksTheServerAndTheCommandsOfBothClients()
    {
        var blocks = Blocks;

        blocks.Where(b => b.IsServer).Should().ContainSingle().Which.Commands.Should().Contain("dotnet run --project samples/Scep.SampleHost");
        var commands = string.Join('\n', blocks.Where(b => !b.IsServer).Select(b => b.Commands));
        commands.Should().Contain("add-entity").And.Contain("scepclient ").And.Contain("openssl verify").And.Contain("list-entities")
            .And.Contain("getcert add-scep-ca").And.Contain("getcert request").And.Contain("certmonger ");
        commands.Should().NotContain("dotnet test", "the tests do not run themselves");
    }

    [Test]
    public async Task QuickStart_AsWrittenOnAScratchCopy_EnrollsWithScepclientAndCertmonger_AndOpensslVerifies()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        ExternalPeer.Require("getcert", "apt-get install -y certmonger");
        ExternalPeer.Require("openssl", "apt-get install -y openssl");
        ExternalPeer.Require("curl", "apt-get install -y curl");
        ExternalPeer.Require("git", "apt-get install -y git");
        var blocks = Blocks;
        var isolation = await IsolationAsync(new Uri(blocks.First(b => b.IsServer).ReadyUrl!));

        using var scratch = new TempDirectory("scep-readme-");
        var copy = await CopyRepositoryAsync(scratch.Sub("repository"));
        var build = await RunAsync("dotnet", ["build", "samples/Scep.SampleHost", "-nologo", "-v", "q"], copy, TimeSpan.FromMinutes(15));
        build.ExitCode.Should().Be(0, "the sample host builds in the copy:\n" + build.Output + build.Error);

        var logs = scratch.Sub("logs");
        var script = scratch.File("quickstart.sh");
        await File.WriteAllTextAsync(script, ReadmeQuickStart.Script(blocks, logs));
        var run = await RunAsync(isolation[0], [.. isolation.Skip(1), script], copy, TimeSpan.FromMinutes(10));

        var serverLog = string.Join('\n', Directory.GetFiles(logs).Select(File.ReadAllText));
        run.ExitCode.Should().Be(0, $"every README command succeeds:\n{run.Output}\n{run.Error}\nserver:\n{serverLog}");
        run.Output.Should().Contain("### readme-test: done");
        var verifies = blocks.Sum(b => Regex.Count(b.Commands, @"^\s*openssl verify ", RegexOptions.Multiline));
        Regex.Matches(run.Output, @": OK$", RegexOptions.Multiline).Should().HaveCount(verifies, "every openssl verify says OK:\n" + run.Output);
        run.Output.Should().MatchRegex(@"\n\S+ +GENERATED ", "list-entities shows the device that enrolled");
    }

    /// <summary>How to run the script: in a private network namespace (root), or directly when the README's port is free.</summary>
    private static async Task<string[]> IsolationAsync(Uri url)
    {
        if (ExternalPeer.Find("unshare") is { } unshare && ExternalPeer.Find("ip") is not null
            && (await ExternalPeer.RunAsync(unshare, ["-n", "true"])).ExitCode == 0)
        {
            return [unshare, "-n", "bash", "-c", "ip link set lo up && exec bash \"$0\""];
        }

        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, url.Port);
            probe.Start();
        }
        catch (SocketException)
        {
            var message = $"port {url.Port} of the README is in use, and a private network namespace needs root (unshare -n)";
            if (ExternalPeer.IsCi)
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        return ["bash"];
    }

    /// <summary>Copies what a clone would hold (tracked files, and untracked ones git does not ignore) as they are now.</summary>
    private static async Task<string> CopyRepositoryAsync(string target)
    {
        var files = await RunAsync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], Root, TimeSpan.FromMinutes(1));
        files.ExitCode.Should().Be(0, files.Error);
        foreach (var relative in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct())
        {
            var source = Path.Combine(Root, relative);
            if (File.Exists(source))
            {
                var destination = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(source, destination);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
                }
            }
        }

        return target;
    }

    /// <summary>Runs a program in <paramref name="directory"/> with a stranger's environment (see <see cref="RemovedVariablePrefixes"/>).</summary>
    private static async Task<ExternalPeer.Result> RunAsync(string program, string[] arguments, string directory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => RemovedVariablePrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in {timeout}:\n{await stdout}\n{await stderr}");
        }

        return new ExternalPeer.Result(process.ExitCode, await stdout, await stderr);
    }
}
