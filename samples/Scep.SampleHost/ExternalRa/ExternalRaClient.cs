using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost;

/// <summary>
/// The CA's calls to the RA's queue: TLS with the CA's client certificate, the RA's server certificate pinned (compared
/// in constant time), no redirects, bounded time and answer size.
/// </summary>
internal sealed class ExternalRaClient : IDisposable
{
    /// <summary>The largest listing read (100 requests with their CSRs fit in far less).</summary>
    private const int MaxResponseBytes = 4 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _queue;

    public ExternalRaClient(ExternalRaOptions options, X509Certificate2 clientCertificate)
    {
        _queue = options.Url!;
        var pin = Convert.FromHexString(options.ServerCertificateSha256!);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), pin),
            },
        };
        _http = new HttpClient(handler) { Timeout = options.Timeout, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    public async Task<IReadOnlyList<QueuedRequestView>> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(_queue + "?take=" + UpstreamAdministration.MaxListed), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<QueuedRequestView[]>(cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>Delivers a certificate; the RA's status code (200, or 404/409 when it knows better).</summary>
    public async Task<int> DeliverAsync(string id, byte[] certificate, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(Item(id, "certificate"), new DeliverCertificateRequest(PemEncoding.WriteString("CERTIFICATE", certificate)), cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    public async Task<int> RefuseAsync(string id, string reason, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(Item(id, "refusal"), new RejectRequest(reason), cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private Uri Item(string id, string action) => new($"{_queue.AbsoluteUri.TrimEnd('/')}/{Uri.EscapeDataString(id)}/{action}");

    public void Dispose() => _http.Dispose();
}
