using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

/// <summary>The in-memory end entity store, for a broken store to change one behaviour of.</summary>
public class DelegatingEndEntityStore : IEndEntityStore
{
    protected InMemoryEndEntityStore Inner { get; } = new();

    public virtual ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken) => Inner.FindAsync(username, cancellationToken);

    public virtual ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken) => Inner.TryAddAsync(entity, cancellationToken);

    public virtual ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken) => Inner.TryUpdateAsync(entity, expectedVersion, cancellationToken);
}
