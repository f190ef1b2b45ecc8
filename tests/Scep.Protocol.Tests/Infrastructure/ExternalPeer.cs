using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// Finds the real third-party peers (micromdm's scepclient/scepserver, certmonger, openssl) the interop tests run.
/// Missing peers make a test ignored with install instructions, and fail it when CI=true.
/// </summary>
public static class ExternalPeer
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="program"/>, or the test is ignored (failed under CI) with <paramref name="install"/> as advice.</summary>
    public static string Require(string program, string install)
    {
        var path = Find(program);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{program}' is not installed; install it with: {install}";
        if (IsCi)
        {
            Assert.Fail(message + " (CI=true: a missing peer is a failure)");
        }

        Assert.Ignore(message);
        return null!;
    }

    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/lib/certmonger", "/usr/libexec/certmonger"]);
        return directories.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs a program with a timeout and returns its exit code and output.</summary>
    public static async Task<Result> RunAsync(string program, string[] arguments, TimeSpan? timeout = null, string? workingDirectory = null, string? standardInput = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {program}");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new System.Threading.CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in time");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
