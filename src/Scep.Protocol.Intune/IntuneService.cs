using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Intune;

/// <summary>
/// The calls to Intune's ScepRequestValidationFEService: its URL discovered through Microsoft Graph and cached
/// (IntuneServiceLocationProvider.cs), each POST with a bearer token, a new <c>client-request-id</c> and the
/// <c>api-version</c> header (IntuneClient.cs), the answer's <c>code</c> and <c>errorDescription</c> read back
/// (IntuneScepValidator.cs, PostAsync). A failed call forgets the discovered URL, as the reference does (the service
/// may have moved); a 401 gets one new token and one retry. Every answer is bounded in time and size.
/// </summary>
internal sealed class IntuneService : IDisposable
{
    private readonly IntuneOptions _options;
    private readonly HttpClient _http;
    private readonly IntuneTokens _tokens;
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private volatile Uri? _serviceUri;

    public IntuneService(IntuneOptions options)
    {
        _options = options;
        var handler = options.HttpHandlerFactory?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(handler) { Timeout = options.Timeout, MaxResponseContentBufferSize = options.MaxResponseBytes };
        _tokens = new IntuneTokens(options, _http);
    }

    /// <summary>Posts one ScepActions call; the answer's code and description.</summary>
    /// <exception cref="IntuneUnavailableException">No answer that can be read.</exception>
    public async Task<(string Code, string? Description)> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var service = await ServiceUriAsync(cancellationToken).ConfigureAwait(false);
        var url = new Uri(service.ToString().TrimEnd('/') + "/" + path);
        var json = body.ToJsonString();
        for (var attempt = 1; ; attempt++)
        {
            var token = await _tokens.GetAsync(IntuneWire.IntuneScope, forceRefresh: attempt > 1, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add(IntuneWire.ClientRequestIdHeader, Guid.NewGuid().ToString());
            request.Headers.Add(IntuneWire.ApiVersionHeader, IntuneWire.ServiceVersion);
            var (status, answer) = await SendAsync(request, "Intune", cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.Unauthorized && attempt == 1)
            {
                continue;
            }

            if ((int)status is < 200 or > 299)
            {
                _serviceUri = null;
                throw new IntuneUnavailableException($"Intune answered HTTP {(int)status}.");
            }

            var code = answer?["code"]?.GetValueKind() == JsonValueKind.String ? answer["code"]!.GetValue<string>() : null;
            if (string.IsNullOrEmpty(code))
            {
                throw new IntuneUnavailableException("Intune's answer has no code.");
            }

            var description = answer!["errorDescription"]?.GetValueKind() == JsonValueKind.String ? answer["errorDescription"]!.GetValue<string>() : null;
            return (code, description);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _discovery.Dispose();
    }

    /// <summary>
    /// The service's URL: GET <c>{graph}v1.0/servicePrincipals/appId={Intune's app id}/endpoints</c> with a Graph token,
    /// then the entry whose <c>providerName</c> (or, in older answers, <c>serviceName</c>) is the validation service,
    /// compared without case, and its <c>uri</c> (IntuneServiceLocationProvider.cs, RefreshServiceMapAsync).
    /// </summary>
    private async Task<Uri> ServiceUriAsync(CancellationToken cancellationToken)
    {
        if (_serviceUri is { } known)
        {
            return known;
        }

        await _discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_serviceUri is { } found)
            {
                return found;
            }

            var graph = _options.GraphEndpoint.ToString().TrimEnd('/') + "/";
            var token = await _tokens.GetAsync(graph + IntuneWire.GraphScopeSuffix, forceRefresh: false, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{graph}{IntuneWire.GraphVersion}/servicePrincipals/appId={IntuneWire.IntuneAppId}/endpoints");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add(IntuneWire.ClientRequestIdHeader, Guid.NewGuid().ToString());
            var (status, answer) = await SendAsync(request, "Microsoft Graph", cancellationToken).ConfigureAwait(false);
            if ((int)status is < 200 or > 299)
            {
                throw new IntuneUnavailableException($"Microsoft Graph answered HTTP {(int)status} to the discovery of {IntuneWire.ValidationServiceName}.");
            }

            if (answer?["value"] is not JsonArray endpoints)
            {
                throw new IntuneUnavailableException("Microsoft Graph's endpoint list has no value array.");
            }

            foreach (var endpoint in endpoints)
            {
                var name = Text(endpoint?["providerName"]) ?? Text(endpoint?["serviceName"]);
                if (string.Equals(name, IntuneWire.ValidationServiceName, StringComparison.OrdinalIgnoreCase)
                    && Uri.TryCreate(Text(endpoint?["uri"]), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
                {
                    _serviceUri = uri;
                    return uri;
                }
            }

            throw new IntuneUnavailableException($"Microsoft Graph lists no https endpoint for {IntuneWire.ValidationServiceName}.");
        }
        finally
        {
            _discovery.Release();
        }
    }

    /// <summary>Sends and reads a JSON object (or nothing, for an error status) of at most MaxResponseBytes.</summary>
    private async Task<(HttpStatusCode Status, JsonObject? Answer)> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (response.StatusCode, null);
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
            {
                throw new IntuneUnavailableException($"{what}'s answer is larger than {_options.MaxResponseBytes} bytes.");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[_options.MaxResponseBytes + 1];
                var length = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > _options.MaxResponseBytes)
                    {
                        throw new IntuneUnavailableException($"{what}'s answer is larger than {_options.MaxResponseBytes} bytes.");
                    }
                }

                return (response.StatusCode, JsonNode.Parse(buffer.AsSpan(0, length)) as JsonObject ?? throw new IntuneUnavailableException($"{what}'s answer is not a JSON object."));
            }
        }
        catch (JsonException)
        {
            throw new IntuneUnavailableException($"{what}'s answer is not JSON.");
        }
        catch (HttpRequestException e)
        {
            _serviceUri = null;
            throw new IntuneUnavailableException($"{what} could not be reached ({e.HttpRequestError}).", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            _serviceUri = null;
            throw new IntuneUnavailableException($"{what} did not answer within {_options.Timeout.TotalSeconds:0.#} s.", e);
        }
        catch (IOException e)
        {
            throw new IntuneUnavailableException($"{what}'s answer was cut off.", e);
        }
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}
