using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>
/// Stores without an <see cref="ICertificateStore"/> run <see cref="ScepStoreContract.ChecksWithoutCertificateStore"/>:
/// the end entity and transaction checks, and the pipeline checks over an in-memory certificate store.
/// </summary>
public class InMemoryStoresWithoutCertificateStoreContract : ScepStoreContract
{
    [TestCaseSource(typeof(ScepStoreContract), nameof(ChecksWithoutCertificateStore))]
    public Task Check(string name) => RunAsync(name);

    protected override ValueTask<ScepStores> CreateStoresAsync() => ValueTask.FromResult(new ScepStores
    {
        EndEntities = new InMemoryEndEntityStore(),
        Transactions = new InMemoryScepTransactionStore(),
    });
}
