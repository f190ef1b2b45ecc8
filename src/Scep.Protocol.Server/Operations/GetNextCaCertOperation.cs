using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// GetNextCACert, RFC 8894 §4.7: during a rollover, the next CA's certificates as a SignedData signed by the current CA's
/// key (so a client can trust them; interop lessons 23); HTTP 404 while no rollover is in progress.
/// </summary>
internal sealed class GetNextCaCertOperation(TimeProvider time) : ICaOperation
{
    public string Name => ScepOperation.GetNextCACert;

    public ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(AliasRuntime alias, ScepCaCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.Next is not { } next)
        {
            return ValueTask.FromResult((ScepHttpResponse.Error(404, "No next CA certificate is configured (no CA rollover in progress)."), "no-next-ca"));
        }

        var reply = NextCaCertificates.Create(
            GetCaCertOperation.CertificateSet(alias, next),
            credentials.SigningCertificate,
            credentials.SigningKey,
            alias.ReplyDigest(null),
            time.GetUtcNow());
        return ValueTask.FromResult((ScepHttpResponse.Ok(ScepContentTypes.NextCaCertificate, reply.RawData), "ok"));
    }
}
