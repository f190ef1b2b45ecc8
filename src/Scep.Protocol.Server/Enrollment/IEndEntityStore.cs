using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Where end entities live. The pipeline checks codes and statuses itself; the store only has to be a
/// consistent record with compare-and-swap updates, which is what makes a one-time code really one-time
/// under concurrent requests.
/// </summary>
public interface IEndEntityStore
{
    /// <summary>Finds an entity by username (exact, case-sensitive).</summary>
    /// <param name="username">The username.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The entity, or null.</returns>
    ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken);

    /// <summary>Adds an entity unless one with its username exists.</summary>
    /// <param name="entity">The entity, with <see cref="EndEntity.Version"/> 0.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the username is taken.</returns>
    ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the stored entity with <paramref name="entity"/> only if the stored one still has
    /// <paramref name="expectedVersion"/>; the stored copy then gets version <paramref name="expectedVersion"/> + 1.
    /// </summary>
    /// <param name="entity">The new state.</param>
    /// <param name="expectedVersion">The version the caller read.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when another update came first.</returns>
    ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken);
}
