using System;
using System.Threading;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>What one check runs against, and how it says that a rule was broken.</summary>
internal sealed class CheckContext(string name, ScepStores stores, TimeSpan precision, CancellationToken cancellation)
{
    public string Name => name;

    public ScepStores Stores => stores;

    public IEndEntityStore Entities => stores.EndEntities;

    public IScepTransactionStore Transactions => stores.Transactions;

    /// <summary>The certificate store (only checks that need one read it; the contract skips them otherwise).</summary>
    public ICertificateStore Certificates => stores.Certificates ?? throw new StoreContractNotApplicableException(name);

    public TimeSpan Precision => precision;

    public CancellationToken Cancellation => cancellation;

    public StoreContractException Broken(string expected, string found) => new(name, expected, found);

    public void Expect(bool holds, string expected, string found)
    {
        if (!holds)
        {
            throw Broken(expected, found);
        }
    }

    public Differences Differences() => new(precision);

    public bool SameTime(DateTimeOffset written, DateTimeOffset read) => (written - read).Duration() < precision;
}
