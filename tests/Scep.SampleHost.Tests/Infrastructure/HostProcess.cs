using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>
/// The built sample host (samples/Scep.SampleHost/bin/...) as a real process on a free 127.0.0.1 port, with its
/// data folder and extra configuration given by environment variables, as an operator would run it; and its
/// admin commands run the same way. Logs are JSON lines (Logging:Console:FormatterName=json) kept for assertions.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private HostProcess(Process process, string baseUrl, string dataDirectory, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
        Environment = environment;
    }

    /// <summary>Where the sample host was built: its dll and appsettings.json.</summary>
    public static string Directory { get; } = FindHostDirectory();

    public static string Dll => Path.Combine(Directory, "Scep.SampleHost.dll");

    public string BaseUrl { get; }

    /// <summary>The free port a <c>{port2}</c> in the settings was replaced with.</summary>
    public int SecondPort { get; private set; }

    public string DataDirectory { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the host logged so far.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host on <paramref name="dataDirectory"/> and waits until <c>/health</c> answers.</summary>
    /// <param name="dataDirectory">Its data folder.</param>
    /// <param name="settings">More environment variables.</param>
    /// <param name="workingDirectory">Where it runs; by default its build folder, which holds its appsettings.json.</param>
    /// <param name="port">The port to listen on (a host started again where its clients expect it); a free one by default.</param>
    public static async Task<HostProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null, int? port = null)
    {
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["SampleHost__DataDirectory"] = dataDirectory,
            ["Logging__Console__FormatterName"] = "json",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var fixedPort = port;
        for (var attempt = 1; ; attempt++)
        {
            port = fixedPort ?? FreePort();
            var secondPort = FreePort();

            // A setting may name the host's port as {port} and a second free port as {port2} (an HTTPS endpoint).
            var resolved = environment.ToDictionary(e => e.Key, e => e.Value.Replace("{port}", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{port2}", secondPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var host = Start(resolved, port.Value, dataDirectory, workingDirectory);
            host.SecondPort = secondPort;
            if (await host.WaitUntilHealthyAsync())
            {
                return host;
            }

            var output = host.Output;
            await host.DisposeAsync();
            if (attempt == 3 || fixedPort is not null || !output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"The sample host did not start:\n{output}");
            }
        }
    }

    /// <summary>Runs an admin command of the same build on the same data folder and configuration.</summary>
    public Task<ExternalPeer.Result> AdminAsync(params string[] arguments) => RunAdminAsync(Environment, arguments);

    public static Task<ExternalPeer.Result> RunAdminAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunToExitAsync(environment, arguments);

    /// <summary>
    /// Runs the host (this build, or the <paramref name="dll"/> of a copy of it) with <paramref name="arguments"/> until it
    /// exits, within 60 seconds: an admin command, <c>--help</c>, or a server that cannot start.
    /// </summary>
    public static async Task<ExternalPeer.Result> RunToExitAsync(IReadOnlyDictionary<string, string> environment, string[] arguments, string? workingDirectory = null, string? dll = null)
    {
        var info = Info(environment, workingDirectory);
        info.ArgumentList.Add(dll ?? Dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Scep.SampleHost {string.Join(' ', arguments)} did not finish");
        }

        return new ExternalPeer.Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// A run of <see cref="RunToExitAsync"/> that could not start: exit code 1, one line on stderr that says so, no stack
    /// trace anywhere. Returns the line.
    /// </summary>
    public static string ShouldFailInOneLine(ExternalPeer.Result run)
    {
        run.ExitCode.Should().Be(1, run.Output + run.Error);
        var lines = run.Error.TrimEnd().Split('\n');
        lines.Should().ContainSingle(run.Error).Which.Should().StartWith("Scep.SampleHost cannot start: ");
        (run.Output + run.Error).Should().NotContain("   at ").And.NotContain("Unhandled exception").And.NotContain("Exception:");
        return lines[0];
    }

    /// <summary>Stops the host as a service manager would (SIGTERM) and waits for it to exit.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await ExternalPeer.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the host with SIGKILL, as a crash or the OOM killer would: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static HostProcess Start(Dictionary<string, string> environment, int port, string dataDirectory, string? workingDirectory)
    {
        var info = Info(environment, workingDirectory);
        info.ArgumentList.Add(Dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process, $"http://127.0.0.1:{port}", dataDirectory, environment);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private static ProcessStartInfo Info(IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory, // appsettings.json is found in the working directory, as with dotnet run
        };
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("SCEP_CA_PASSPHRASE");
        info.Environment.Remove("ConnectionStrings__Scep");
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }

    private async Task<bool> WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>A port free on 127.0.0.1 now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindHostDirectory()
    {
        // tests/Scep.SampleHost.Tests/bin/<Configuration>/net10.0 -> samples/Scep.SampleHost/bin/<Configuration>/net10.0
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent!.Name;
        var directory = Path.Combine(RepositoryRoot.Path, "samples", "Scep.SampleHost", "bin", configuration, framework);
        return File.Exists(Path.Combine(directory, "Scep.SampleHost.dll"))
            ? directory
            : throw new InvalidOperationException($"The sample host is not built at {directory}.");
    }
}
