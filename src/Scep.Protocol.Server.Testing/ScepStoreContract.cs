using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Checks;

namespace Scep.Protocol.Server.Testing;

/// <summary>
/// The contract of the server's stores (<see cref="IEndEntityStore"/>, <see cref="IScepTransactionStore"/> and
/// <see cref="ICertificateStore"/>) as named checks: derive a test fixture from it, make
/// <see cref="CreateStoresAsync"/> return fresh, empty stores, and run every name of <see cref="Checks"/> with
/// <see cref="RunAsync"/>, which throws <see cref="StoreContractException"/> when the stores break the contract.
/// No test framework is referenced: NUnit's <c>TestCaseSource</c>, xUnit's <c>MemberData</c> and MSTest's
/// <c>DynamicData</c> all read <see cref="Checks"/>.
/// </summary>
/// <remarks>
/// Each check makes its own stores and releases them (<see cref="ScepStores.Release"/>) when it ends, and keeps no state
/// in the fixture, so checks may run in parallel. Some checks run 50 concurrent calls against one store; the
/// <c>Pipeline_</c> checks run a real <see cref="ScepRequestHandler"/> over the stores with a CA made in code and a
/// clock of their own.
/// </remarks>
public abstract class ScepStoreContract
{
    /// <summary>For the fixture that derives from it.</summary>
    protected ScepStoreContract()
    {
    }

    /// <summary>The name of every check, in a stable order.</summary>
    public static IReadOnlyList<string> CheckNames { get; } = CheckCatalog.All.Select(c => c.Name).ToArray();

    /// <summary>Every check, one row per check with its name as the only argument (a test case source).</summary>
    public static IEnumerable<object[]> Checks => CheckCatalog.All.Select(c => new object[] { c.Name });

    /// <summary>The checks that need no <see cref="ICertificateStore"/>: for stores with <see cref="ScepStores.Certificates"/> null.</summary>
    public static IEnumerable<object[]> ChecksWithoutCertificateStore =>
        CheckCatalog.All.Where(c => !c.NeedsCertificateStore).Select(c => new object[] { c.Name });

    /// <summary>
    /// How finely the stores keep times: a time read back may differ from the one written by less than this. Default:
    /// one tick (100 ns), which is what <see cref="DateTimeOffset"/> holds; a store on PostgreSQL <c>timestamptz</c>
    /// keeps microseconds (10 ticks). Times are compared as instants: the offset need not be kept.
    /// </summary>
    protected virtual TimeSpan TimestampPrecision => TimeSpan.FromTicks(1);

    /// <summary>How long one check may take before it fails as hanging. Default: 2 minutes.</summary>
    protected virtual TimeSpan CheckTimeout => TimeSpan.FromMinutes(2);

    /// <summary>Runs one check against stores made for it.</summary>
    /// <param name="checkName">One of <see cref="CheckNames"/>.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the stores kept the contract.</returns>
    /// <exception cref="StoreContractException">The stores broke the contract: what was expected, and what was found.</exception>
    /// <exception cref="StoreContractNotApplicableException">A certificate store check, and the stores have no certificate store.</exception>
    /// <exception cref="ArgumentException">No check has this name.</exception>
    public async Task RunAsync(string checkName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkName);
        var check = CheckCatalog.Find(checkName)
            ?? throw new ArgumentException($"No store contract check is named '{checkName}'; ScepStoreContract.CheckNames lists them.", nameof(checkName));
        var stores = await CreateStoresAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{GetType().Name}.CreateStoresAsync returned null.");
        try
        {
            if (check.NeedsCertificateStore && stores.Certificates is null)
            {
                throw new StoreContractNotApplicableException(check.Name);
            }

            await RunWithinTimeoutAsync(check, stores, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (stores.Release is { } release)
            {
                await release().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Makes fresh, empty stores for one check: nothing another check wrote may be visible in them (a new in-memory
    /// instance, a new database or schema). Called once per <see cref="RunAsync"/>; give
    /// <see cref="ScepStores.Release"/> to drop what was made.
    /// </summary>
    /// <returns>The stores.</returns>
    protected abstract ValueTask<ScepStores> CreateStoresAsync();

    private async Task RunWithinTimeoutAsync(ContractCheck check, ScepStores stores, CancellationToken cancellationToken)
    {
        var timeout = CheckTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var context = new CheckContext(check.Name, stores, TimestampPrecision, limit.Token);
        try
        {
            await check.RunAsync(context).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            throw new StoreContractException(check.Name, $"the check to finish within {timeout}", "it was still running: a store call that never returns, or a compare-and-swap that never succeeds");
        }
        catch (Exception e) when (e is not (StoreContractException or StoreContractNotApplicableException or OperationCanceledException))
        {
            throw new StoreContractException(check.Name, "every call to answer without throwing (a taken key or a stale version is answered with false)", $"{e.GetType().Name}: {e.Message}", e);
        }
    }
}
