using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>The handler of one or more messageTypes of PKIOperation (<see cref="OperationTable"/> chooses it).</summary>
internal interface IPkiMessageOperation
{
    /// <summary>Whether the alias serves this operation (GetCert and GetCRL can be turned off).</summary>
    bool IsServedBy(AliasRuntime alias);

    /// <summary>Handles a request that passed <see cref="RequestChecks"/>.</summary>
    ValueTask<OperationResult> HandleAsync(Exchange x, PkiMessageContent content, CancellationToken cancellationToken);
}
