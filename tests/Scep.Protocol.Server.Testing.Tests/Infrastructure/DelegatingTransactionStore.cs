using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

/// <summary>The in-memory transaction store, for a broken store to change one behaviour of.</summary>
public class DelegatingTransactionStore : IScepTransactionStore
{
    protected InMemoryScepTransactionStore Inner { get; } = new();

    public virtual ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken) => Inner.FindAsync(alias, transactionId, cancellationToken);

    public virtual ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken) => Inner.TryAddAsync(transaction, cancellationToken);

    public virtual ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken) => Inner.TryUpdateAsync(transaction, expectedVersion, cancellationToken);

    public virtual ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken) => Inner.FindAwaitingApprovalAsync(username, cancellationToken);
}
