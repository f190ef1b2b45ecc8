using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Supplies each CA's SCEP credentials: certificates and keys as .NET key objects, so that a key can live in an
/// HSM. Called on every request; cache in the implementation.
/// </summary>
public interface IScepCredentialProvider
{
    /// <summary>The credentials of the CA named <paramref name="caName"/>.</summary>
    /// <param name="caName">An alias's <see cref="ScepAliasOptions.CaName"/>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The credentials, or null when the name is unknown.</returns>
    ValueTask<ScepCaCredentials?> GetCredentialsAsync(string caName, CancellationToken cancellationToken);
}
