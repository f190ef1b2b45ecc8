using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>The shipped in-memory stores keep the whole store contract: the fixture a store author writes, as docs/server.md shows it.</summary>
public class InMemoryStoreContract : ScepStoreContract
{
    [TestCaseSource(typeof(ScepStoreContract), nameof(Checks))]
    public Task Check(string name) => RunAsync(name);

    protected override ValueTask<ScepStores> CreateStoresAsync() => ValueTask.FromResult(new ScepStores
    {
        EndEntities = new InMemoryEndEntityStore(),
        Transactions = new InMemoryScepTransactionStore(),
        Certificates = new InMemoryCertificateStore(),
    });
}
