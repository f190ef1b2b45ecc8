using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>
/// A correct but slow store: the first read of an end entity answers only once the entity is GENERATED, as a database
/// under load may. The pipeline checks must pass over it; the stores are not at fault for how long they take.
/// </summary>
public class SlowStoreTests
{
    /// <summary>Holds the first FindAsync until an update has made the entity GENERATED (or the check ends).</summary>
    private sealed class FirstReadWaitsForIssuanceStore : DelegatingEndEntityStore
    {
        private readonly TaskCompletionSource _generated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public override async ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                await _generated.Task.WaitAsync(cancellationToken);
            }

            return await Inner.FindAsync(username, cancellationToken);
        }

        public override async ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken)
        {
            var updated = await Inner.TryUpdateAsync(entity, expectedVersion, cancellationToken);
            if (updated && entity.Status == EndEntityStatus.Generated)
            {
                _generated.TrySetResult();
            }

            return updated;
        }
    }

    [Test]
    public async Task ConcurrentCopiesOfOneRequest_OverAStoreWhoseFirstReadIsSlow_AreAllAnsweredFromTheOneIssuance()
    {
        var contract = new ContractOver(() => Stores.With(entities: new FirstReadWaitsForIssuanceStore()));

        await contract.PassesAsync("Pipeline_FiftyConcurrentCopiesOfOneRequest_IssueOneCertificate");
    }
}
