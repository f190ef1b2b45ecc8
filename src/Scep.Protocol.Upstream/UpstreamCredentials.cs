using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// What devices of the upstream's aliases see: the upstream CA certificate, and the RA's certificate, which decrypts
/// their requests and signs the replies (GetCACert returns both). No CA key is here: the upstream issues.
/// </summary>
internal sealed class UpstreamCredentials(IScepCredentialProvider? inner, IOptions<UpstreamCaOptions> options) : IScepCredentialProvider
{
    private readonly Lazy<ScepCaCredentials> _credentials = new(() =>
    {
        var o = options.Value;
        var key = o.RaCertificate!.GetRSAPrivateKey() ?? throw new CryptographicException("The RA certificate has no RSA private key.");
        return new ScepCaCredentials
        {
            CaCertificate = o.CaCertificate!,
            DecryptionCertificate = o.RaCertificate!,
            DecryptionKey = key,
            SigningCertificate = o.RaCertificate!,
            SigningKey = key,
        };
    });

    public ValueTask<ScepCaCredentials?> GetCredentialsAsync(string caName, CancellationToken cancellationToken) =>
        string.Equals(caName, options.Value.CaName, StringComparison.Ordinal)
            ? ValueTask.FromResult<ScepCaCredentials?>(_credentials.Value)
            : inner?.GetCredentialsAsync(caName, cancellationToken) ?? ValueTask.FromResult<ScepCaCredentials?>(null);
}
