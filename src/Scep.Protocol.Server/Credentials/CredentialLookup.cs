using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>The credentials of an alias's CA; a missing one is the host's configuration fault (HTTP 500, logged).</summary>
internal static class CredentialLookup
{
    public static async ValueTask<ScepCaCredentials> GetAsync(IScepCredentialProvider provider, string caName, CancellationToken cancellationToken) =>
        await provider.GetCredentialsAsync(caName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No SCEP credentials are configured for CA '{caName}'.");
}
