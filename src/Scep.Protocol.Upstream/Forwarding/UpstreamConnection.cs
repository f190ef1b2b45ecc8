using System;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Client;

namespace Scep.Protocol.Upstream;

/// <summary>
/// The way to the upstream CA: one HTTP client (bounded time and size, no redirects), the RA's signer, and the upstream's
/// capabilities and CA certificates, fetched when first needed and again after a failure, and pinned to
/// <see cref="UpstreamCaOptions.CaCertificate"/>.
/// </summary>
internal sealed class UpstreamConnection : IDisposable
{
    /// <summary>How long the upstream's GetCACaps and GetCACert answers are used before they are asked for again.</summary>
    private static readonly TimeSpan ServerInfoLifetime = TimeSpan.FromMinutes(10);

    private readonly UpstreamCaOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _infoLock = new(1, 1);
    private (ScepServerInfo Info, DateTimeOffset FetchedAt)? _info;

    public UpstreamConnection(IOptions<UpstreamCaOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = _options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = _options.RequestTimeout,
        };
        Client = new ScepClient(_http, _options.Url!, new ScepClientOptions
        {
            CaIdentifier = _options.CaIdentifier,
            AlgorithmPolicy = _options.AllowLegacyAlgorithms ? ScepAlgorithmPolicy.Legacy : ScepAlgorithmPolicy.Default,
            TimeProvider = time,
            MaxResponseSize = 1024 * 1024,
        });
        var ra = _options.RaCertificate!;
        Signer = ScepSigner.Create(ra, ra.GetRSAPrivateKey()!);
        IssuerId = Scep.Protocol.Server.ScepCaCredentials.IdOf(_options.CaCertificate!);
    }

    public ScepClient Client { get; }

    /// <summary>The RA's certificate and key: they sign every request sent upstream and decrypt its replies.</summary>
    public ScepSigner Signer { get; }

    /// <summary>The upstream CA's id in the certificate store (<c>ScepCaCredentials.IdOf</c>).</summary>
    public string IssuerId { get; }

    /// <summary>The upstream's capabilities and CA certificates.</summary>
    /// <exception cref="UpstreamException">Its GetCACert does not hold the pinned CA certificate.</exception>
    public async Task<ScepServerInfo> ServerAsync(CancellationToken cancellationToken)
    {
        if (_info is { } cached && _time.GetUtcNow() - cached.FetchedAt < ServerInfoLifetime)
        {
            return cached.Info;
        }

        await _infoLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_info is { } fetched && _time.GetUtcNow() - fetched.FetchedAt < ServerInfoLifetime)
            {
                return fetched.Info;
            }

            var info = await Client.GetServerInfoAsync(cancellationToken).ConfigureAwait(false);
            var pinned = _options.CaCertificate!.RawDataMemory;
            if (!info.CaCertificates.Certificates.Any(c => c.RawDataMemory.Span.SequenceEqual(pinned.Span)))
            {
                throw new UpstreamException(
                    $"The upstream's GetCACert does not hold the configured CA certificate (SHA-256 {Convert.ToHexString(SHA256.HashData(pinned.Span))}): nothing is sent to it.");
            }

            _info = (info, _time.GetUtcNow());
            return info;
        }
        finally
        {
            _infoLock.Release();
        }
    }

    /// <summary>Asks for the upstream's capabilities and certificates again before the next exchange (after a failure).</summary>
    public void Forget() => _info = null;

    public void Dispose()
    {
        _http.Dispose();
        _infoLock.Dispose();
    }
}

/// <summary>The upstream answered, but not as it must (its CA certificate changed): treated as unreachable.</summary>
internal sealed class UpstreamException(string message) : Exception(message);
