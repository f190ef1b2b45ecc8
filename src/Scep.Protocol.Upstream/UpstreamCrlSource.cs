using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Client;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// GetCRL for the upstream's aliases, forwarded (RFC 8894 §3.3.4): the upstream's CRL for its CA, signed by it, kept for
/// <see cref="CacheLifetime"/>. An upstream that has none (micromdm's scepserver) or cannot be reached gives null: the
/// device gets FAILURE. In pull mode there is none to forward to (null).
/// </summary>
internal sealed class UpstreamCrlSource(ICrlSource? inner, Lazy<UpstreamConnection> connection, IOptions<UpstreamCaOptions> options, TimeProvider time) : ICrlSource
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    private (byte[] Crl, DateTimeOffset FetchedAt)? _cached;

    public async ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken)
    {
        if (!string.Equals(caName, options.Value.CaName, StringComparison.Ordinal))
        {
            return inner is null ? null : await inner.GetCrlAsync(caName, issuer, cancellationToken).ConfigureAwait(false);
        }

        if (options.Value.Mode == UpstreamMode.Pull)
        {
            // The CA makes outbound calls only and delivers certificates, not CRLs: devices fetch its CRL elsewhere (its CDP).
            return null;
        }

        if (_cached is { } cached && time.GetUtcNow() - cached.FetchedAt < CacheLifetime)
        {
            return cached.Crl;
        }

        try
        {
            var server = await connection.Value.ServerAsync(cancellationToken).ConfigureAwait(false);
            var ca = options.Value.CaCertificate!;

            // The CRL that covers certificates of this CA: asked for by the CA's name and its own serial number.
            var asked = IssuerAndSerialNumber.Create(ca.SubjectName, ca.SerialNumberBytes.Span);
            var result = await connection.Value.Client.GetCrlAsync(server, asked, connection.Value.Signer, cancellationToken).ConfigureAwait(false);
            if (result.Status != PkiStatus.Success)
            {
                return null;
            }

            var crl = result.Crl.ToArray();
            _cached = (crl, time.GetUtcNow());
            return crl;
        }
        catch (Exception e) when (e is ScepTransportException or ScepException or UpstreamException)
        {
            connection.Value.Forget();
            return null;
        }
    }
}
