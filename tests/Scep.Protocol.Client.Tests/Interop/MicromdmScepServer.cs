using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Interop;

/// <summary>
/// micromdm's scepserver 2.1.0 (Debian package 'scep'), reachable on 127.0.0.1 only. scepserver has no
/// listen-address option and listens on every interface, so it runs in a private network namespace
/// (<c>unshare -n</c>: only its own loopback exists there) and two socat relays carry 127.0.0.1:PORT on the host to
/// a unix socket and on to 127.0.0.1:PORT inside the namespace. Needs root (unshare, nsenter). Every process is
/// started here and killed by its own id on dispose. Drive it sequentially: it issues duplicate serial numbers
/// when two enrollments run at once.
/// </summary>
public sealed class MicromdmScepServer : IAsyncDisposable
{
    public const string Install = "apt-get install -y scep socat iproute2 util-linux (and run as root)";

    private readonly List<Process> _processes = [];
    private readonly string _directory;

    private MicromdmScepServer(string directory, int port, string challenge)
    {
        _directory = directory;
        Port = port;
        Challenge = challenge;
        Url = new Uri($"http://127.0.0.1:{port}/scep");
    }

    public Uri Url { get; }

    public int Port { get; }

    public string Challenge { get; }

    public string CaPemPath => Path.Combine(_directory, "depot", "ca.pem");

    public string WorkDirectory => _directory;

    /// <summary>Starts the server with a new CA, or ignores the test (fails it under CI=true) when a tool is missing.</summary>
    public static async Task<MicromdmScepServer> StartAsync(string challenge)
    {
        var scepserver = ExternalPeer.Require("scepserver", Install);
        var socat = ExternalPeer.Require("socat", Install);
        var unshare = ExternalPeer.Require("unshare", Install);
        var nsenter = ExternalPeer.Require("nsenter", Install);
        var ip = ExternalPeer.Require("ip", Install);
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            var message = "the micromdm interop tests need root (unshare -n, nsenter)";
            if (ExternalPeer.IsCi)
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        var directory = Path.Combine(Path.GetTempPath(), "scep-client-tests-" + Guid.NewGuid().ToString("N")[..12]);
        var depot = Path.Combine(directory, "depot");
        Directory.CreateDirectory(depot);
        var server = new MicromdmScepServer(directory, FreeLoopbackPort(), challenge);
        try
        {
            var init = await ExternalPeer.RunAsync(scepserver, ["ca", "-init", "-depot", depot, "-keySize", "2048", "-organization", "scep-lab", "-organizational_unit", "SCEP LAB CA"], TimeSpan.FromSeconds(60));
            if (init.ExitCode != 0)
            {
                throw new InvalidOperationException($"scepserver ca -init failed: {init.Error}");
            }

            var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var scep = server.Start(unshare, ["-n", "bash", "-c", $"'{ip}' link set lo up && exec \"$@\"", "_", scepserver,
                "-depot", depot, "-port", port, "-allowrenew", "0", "-crtvalid", "365", "-challenge", challenge], "scepserver.log");
            // nsenter must not run before unshare has made the new namespace: it would then enter ours, and the inner
            // relay would connect to the outer one instead of scepserver (a loop that never answers). Listening is
            // logged after the namespace exists and its loopback is up.
            await server.WaitUntilAsync(
                () => Task.FromResult(InOwnNetworkNamespace(scep.Id) && server.Log.Contains("msg=listening", StringComparison.Ordinal)),
                "scepserver listening in its own network namespace",
                TimeSpan.FromSeconds(60));
            var socket = Path.Combine(directory, "scep.sock");
            server.Start(nsenter, ["-t", scep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", socat,
                $"UNIX-LISTEN:{socket},fork,unlink-early,mode=600", $"TCP:127.0.0.1:{port}"], "relay-in.log");
            await server.WaitUntilAsync(() => Task.FromResult(File.Exists(socket)), "the inner relay's socket", TimeSpan.FromSeconds(60));
            server.Start(socat, [$"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", $"UNIX-CONNECT:{socket}"], "relay-out.log");
            await server.WaitForCapabilitiesAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Log => string.Join('\n', Directory.GetFiles(_directory, "*.log").Select(f => $"--- {Path.GetFileName(f)}\n{SafeRead(f)}"));

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    private Process Start(string program, string[] arguments, string logName)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + program);
        _processes.Add(process);
        var log = new StreamWriter(Path.Combine(_directory, logName)) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            foreach (var process in _processes)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"a helper process exited while waiting for {what}:\n{Log}");
                }
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{what} did not appear within {limit.TotalSeconds} s:\n{Log}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls GetCACaps through both relays until the server answers (it needs a moment after exec).</summary>
    private async Task WaitForCapabilitiesAsync(TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "?operation=GetCACaps"));
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, "scepserver's GetCACaps answer", limit);
    }

    private static bool InOwnNetworkNamespace(int pid)
    {
        try
        {
            var theirs = new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
            return theirs is not null && theirs != new FileInfo("/proc/self/ns/net").LinkTarget;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            var process = _processes[i];
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Already gone, or not ours to wait for any more.
            }
            finally
            {
                process.Dispose();
            }
        }

        _processes.Clear();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
