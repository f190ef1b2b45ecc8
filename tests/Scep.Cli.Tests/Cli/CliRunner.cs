using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;

namespace Scep.Cli.Tests.Cli;

public sealed record CliRun(int ExitCode, string Output, string Error);

/// <summary>Runs the scep command line in-process, with its HTTP going to a given handler and a clock that never waits.</summary>
public static class CliRunner
{
    public const string Url = "http://127.0.0.1/scep";

    /// <summary>Runs against <paramref name="handler"/> on a clock that never waits; against a real server (null handler) on the system clock.</summary>
    public static Task<CliRun> RunAsync(HttpMessageHandler? handler, params string[] args) =>
        RunAsync(handler, handler is null ? TimeProvider.System : new AutoAdvancingTimeProvider(FakeScepServer.Now), args);

    /// <summary>Runs against <paramref name="handler"/> (sockets when null) on the clock <paramref name="time"/>.</summary>
    public static async Task<CliRun> RunAsync(HttpMessageHandler? handler, TimeProvider time, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error)
        {
            HandlerFactory = handler is null ? null : () => new SharedHandler(handler),
            Time = time,
        };
        var exit = await ScepCommandLine.RunAsync(args, environment, CancellationToken.None);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Lets the command dispose its HttpClient without disposing the test's handler.</summary>
    private sealed class SharedHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);
    }
}
