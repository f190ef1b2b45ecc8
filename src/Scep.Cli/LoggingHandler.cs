using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Cli;

/// <summary>--verbose: one line per request and per answer on standard error.</summary>
internal sealed class LoggingHandler(TextWriter log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!.ToString();
        if (uri.Length > 140)
        {
            uri = uri[..140] + $"… ({uri.Length} characters)";
        }

        var body = request.Content?.Headers.ContentLength is { } length ? $" [{length} bytes {request.Content.Headers.ContentType}]" : string.Empty;
        await log.WriteLineAsync($"> {request.Method} {uri}{body}").ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var type = response.Content.Headers.ContentType?.ToString() ?? "no content type";
        var size = response.Content.Headers.ContentLength is { } l ? $"{l} bytes" : "length unknown";
        await log.WriteLineAsync($"< {(int)response.StatusCode} {response.ReasonPhrase} [{size} {type}]").ConfigureAwait(false);
        return response;
    }
}
