using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Posts a signed JSON body to one receiver and reads its answer within bounds: one timeout for the whole delivery,
/// no redirects followed (a 3xx is an answer like any other), the body read up to <see cref="WebhookEndpointOptions.MaxResponseBytes"/>
/// and no further, the receiver's certificate checked against the system roots or the configured private CA.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly WebhookEndpointOptions _options;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookEndpointOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = options.Timeout,
            MaxResponseHeadersLength = 16,

            // An answer not read to its end (over the limit) closes the connection instead of being drained.
            MaxResponseDrainSize = 0,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        if (options.ClientCertificate is { } client)
        {
            handler.SslOptions.ClientCertificates = [client];

            // Present the certificate even when the receiver's list of acceptable issuers does not name its CA.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }

        if (options.TrustedServerCertificates.Count > 0)
        {
            var trusted = options.TrustedServerCertificates.Cast<X509Certificate2>().ToArray();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(trusted, certificate, chain, errors);
        }

        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Signs and posts <paramref name="body"/> under <paramref name="deliveryId"/>.</summary>
    public async Task<WebhookReply> PostAsync(byte[] body, string deliveryId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, deliveryId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Compute(_options.Secret!, timestamp, deliveryId, body));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                return WebhookReply.Failed(WebhookFailure.Unavailable, "HTTP " + status);
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
            {
                return new WebhookReply(WebhookFailure.TooLarge, status, null, null, default, "Content-Length " + response.Content.Headers.ContentLength);
            }

            var answer = await ReadBoundedAsync(response.Content, _options.MaxResponseBytes, timeout.Token).ConfigureAwait(false);
            if (answer is null)
            {
                return new WebhookReply(WebhookFailure.TooLarge, status, null, null, default, "body over " + _options.MaxResponseBytes + " bytes");
            }

            return new WebhookReply(WebhookFailure.None, status, Header(response, WebhookSignature.TimestampHeader), Header(response, WebhookSignature.SignatureHeader), answer, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return WebhookReply.Failed(WebhookFailure.Unavailable, "no answer within " + _options.Timeout);
        }
        catch (HttpRequestException e)
        {
            return WebhookReply.Failed(WebhookFailure.Unavailable, e.HttpRequestError.ToString());
        }
        catch (IOException)
        {
            return WebhookReply.Failed(WebhookFailure.Unavailable, "connection lost while reading the answer");
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body has more.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(limit, 8192) + 1];
            using var collected = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (collected.Length + read > limit)
                {
                    return null;
                }

                collected.Write(buffer, 0, read);
            }

            return collected.ToArray();
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>The private-CA trust: the chain ends in a configured certificate, or the certificate is one; the host name must match either way.</summary>
    private static bool IsTrusted(X509Certificate2[] trusted, System.Security.Cryptography.X509Certificates.X509Certificate? presented, X509Chain? received, SslPolicyErrors errors)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (received is not null)
        {
            foreach (var element in received.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
