using System;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

/// <summary>Stores for a test: in memory, except the ones given.</summary>
public static class Stores
{
    public static ScepStores With(
        IEndEntityStore? entities = null, IScepTransactionStore? transactions = null, ICertificateStore? certificates = null, bool noCertificateStore = false, Func<ValueTask>? release = null) => new()
        {
            EndEntities = entities ?? new InMemoryEndEntityStore(),
            Transactions = transactions ?? new InMemoryScepTransactionStore(),
            Certificates = noCertificateStore ? null : certificates ?? new InMemoryCertificateStore(),
            Release = release,
        };
}
