using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>GetCACertChain (draft-nourse-scep, dropped by RFC 8894; still asked by some clients): the CA and its whole chain as a degenerate PKCS#7.</summary>
internal sealed class GetCaCertChainOperation : ICaOperation
{
    public string Name => ScepOperation.GetCACertChain;

    public ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(AliasRuntime alias, ScepCaCredentials credentials, CancellationToken cancellationToken)
    {
        var chain = DegenerateCertificateSet.Create([credentials.CaCertificate, .. credentials.Chain]);
        return ValueTask.FromResult((ScepHttpResponse.Ok(ScepContentTypes.CaRaCertificateChain, chain.RawData), "ok"));
    }
}
