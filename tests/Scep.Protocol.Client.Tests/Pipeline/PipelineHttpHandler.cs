using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>One HTTP exchange that reached the pipeline.</summary>
public sealed record PipelineExchange(string Method, string? Alias, string Query, int StatusCode);

/// <summary>
/// An <see cref="HttpMessageHandler"/> that hands each request to <see cref="ScepRequestHandler.HandleAsync"/> as
/// an HTTP server would (method, alias from the path, the raw query as it would travel on the wire, the body), with
/// no socket, and turns the pipeline's answer into the HTTP response. Paths as the sample host routes them:
/// <c>/scep/pkiclient.exe</c> and <c>/cgi-bin/pkiclient.exe</c> for the default alias, <c>/scep/{alias}/pkiclient.exe</c>.
/// </summary>
public sealed class PipelineHttpHandler(ScepRequestHandler pipeline) : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly List<PipelineExchange> _exchanges = [];

    /// <summary>Every exchange so far, in order.</summary>
    public IReadOnlyList<PipelineExchange> Exchanges
    {
        get
        {
            lock (_gate)
            {
                return _exchanges.ToArray();
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("no request URI");
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        string? alias;
        switch (segments)
        {
            case ["scep" or "cgi-bin", "pkiclient.exe"]:
                alias = null;
                break;
            case ["scep", var name, "pkiclient.exe"]:
                alias = Uri.UnescapeDataString(name);
                break;
            default:
                return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);

        // Uri.Query keeps the escapes as sent (%2B, %2F, %3D): the raw query an HTTP server hands the pipeline.
        var response = await pipeline.HandleAsync(
            new ScepHttpRequest { Method = request.Method.Method, Alias = alias, QueryString = uri.Query, Body = body },
            cancellationToken);
        lock (_gate)
        {
            _exchanges.Add(new PipelineExchange(request.Method.Method, alias, uri.Query, response.StatusCode));
        }

        var content = new ByteArrayContent(response.Body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(response.ContentType);
        return new HttpResponseMessage((HttpStatusCode)response.StatusCode) { Content = content, RequestMessage = request };
    }
}
