using System;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

/// <summary>A store contract over stores made by a function, with the precision and timeout a test gives.</summary>
public sealed class ContractOver(Func<ScepStores> create, TimeSpan? precision = null, TimeSpan? timeout = null) : ScepStoreContract
{
    public int Created { get; private set; }

    protected override TimeSpan TimestampPrecision => precision ?? base.TimestampPrecision;

    protected override TimeSpan CheckTimeout => timeout ?? base.CheckTimeout;

    protected override ValueTask<ScepStores> CreateStoresAsync()
    {
        Created++;
        return ValueTask.FromResult(create());
    }
}
