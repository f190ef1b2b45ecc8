using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>GetCACaps, RFC 8894 §3.5: the capabilities this alias really has, derived from its options (<see cref="AliasRuntime.Capabilities"/>).</summary>
internal sealed class GetCaCapsOperation : ICaOperation
{
    public string Name => ScepOperation.GetCACaps;

    public ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(AliasRuntime alias, ScepCaCredentials credentials, CancellationToken cancellationToken)
    {
        var caps = alias.Capabilities(credentials).Format();
        return ValueTask.FromResult((ScepHttpResponse.Ok(ScepContentTypes.Capabilities, Encoding.ASCII.GetBytes(caps)), "ok"));
    }
}
