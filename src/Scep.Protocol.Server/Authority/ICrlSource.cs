using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>Where GetCRL's answer comes from: the current CRL of a CA.</summary>
public interface ICrlSource
{
    /// <summary>The current DER-encoded CRL of <paramref name="issuer"/>.</summary>
    /// <param name="caName">The alias's CA name.</param>
    /// <param name="issuer">The CA certificate the client asked about (current, next or previous key).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The CRL, or null when none is available (the client gets FAILURE badRequest).</returns>
    ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken);
}
