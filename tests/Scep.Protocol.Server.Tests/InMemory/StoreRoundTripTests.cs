using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.InMemory;

/// <summary>
/// How often an enrollment goes to the end entity store: each call is a database round trip in a real host. Counted,
/// never timed (performance is measured with bench/compare.sh).
/// </summary>
public class StoreRoundTripTests
{
    [Test]
    public async Task CaModeEnrollment_ReadsTheEntityOnceAndWritesItTwice()
    {
        var store = new CountingEndEntityStore();
        using var server = ServerHarness.Create(build: b => b.AddEndEntityStore(store));
        store.Inner.Add("device-1", "code-123");

        var reply = await server.NewClient("CN=device-1", "code-123").EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success);
        store.Finds.Should().Be(1, "the reservation's version is known, so marking the entity GENERATED needs no second read");
        store.Updates.Should().Be(2, "NEW to IN PROCESS, then IN PROCESS to GENERATED");
        (await store.Inner.FindAsync("device-1", CancellationToken.None))!.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task EntityChangedDuringTheEnrollment_IsReadAgainAndLeftAsTheAdministratorSetIt()
    {
        var store = new CountingEndEntityStore();
        using var server = ServerHarness.Create(build: b => b.AddEndEntityStore(store));
        store.Inner.Add("device-1", "code-123");
        // An administrator re-registers the entity while the CA issues (new code, status NEW).
        store.AfterUpdate = count => { if (count == 1) { store.Inner.Add("device-1", "new-code"); } };

        var reply = await server.NewClient("CN=device-1", "code-123").EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Success);
        store.Finds.Should().Be(2, "the compare-and-swap from the reserved version failed, so the entity was read again");
        (await store.Inner.FindAsync("device-1", CancellationToken.None))!.Status.Should().Be(EndEntityStatus.New);
    }

    private sealed class CountingEndEntityStore : IEndEntityStore
    {
        public InMemoryEndEntityStore Inner { get; } = new();

        public int Finds { get; private set; }

        public int Updates { get; private set; }

        public System.Action<int>? AfterUpdate { get; set; }

        public ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
        {
            Finds++;
            return Inner.FindAsync(username, cancellationToken);
        }

        public ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken) => Inner.TryAddAsync(entity, cancellationToken);

        public async ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken)
        {
            var updated = await Inner.TryUpdateAsync(entity, expectedVersion, cancellationToken);
            if (updated)
            {
                Updates++;
                AfterUpdate?.Invoke(Updates);
            }

            return updated;
        }
    }
}
