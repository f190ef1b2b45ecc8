using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>A GET operation about the CA (GetCACaps, GetCACert, GetCACertChain, GetNextCACert).</summary>
internal interface ICaOperation
{
    /// <summary>The <c>operation</c> value, as RFC 8894 spells it.</summary>
    string Name { get; }

    /// <summary>Answers for the CA the alias and the <c>message</c> hint chose (<see cref="CaIdentifiers"/>).</summary>
    ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(AliasRuntime alias, ScepCaCredentials credentials, CancellationToken cancellationToken);
}
