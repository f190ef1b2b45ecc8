using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>Transaction stores that break one rule fail the check named for it, saying what was expected and what was found.</summary>
public class BrokenTransactionStoreTests
{
    /// <summary>Keys transactions by the alias as spelt: "SCEP" and "scep" are two aliases.</summary>
    private sealed class CaseSensitiveAliasStore : IScepTransactionStore
    {
        private readonly Dictionary<(string, string), ScepTransaction> _transactions = [];

        public ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken)
        {
            lock (_transactions)
            {
                return ValueTask.FromResult(_transactions.GetValueOrDefault((alias, transactionId)));
            }
        }

        public ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken)
        {
            lock (_transactions)
            {
                return ValueTask.FromResult(_transactions.TryAdd((transaction.Alias, transaction.TransactionId), transaction with { Version = 0 }));
            }
        }

        public ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
        {
            lock (_transactions)
            {
                var key = (transaction.Alias, transaction.TransactionId);
                if (!_transactions.TryGetValue(key, out var current) || current.Version != expectedVersion)
                {
                    return ValueTask.FromResult(false);
                }

                _transactions[key] = transaction with { Version = expectedVersion + 1 };
                return ValueTask.FromResult(true);
            }
        }

        public ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken)
        {
            lock (_transactions)
            {
                return ValueTask.FromResult(_transactions.Values.FirstOrDefault(t => t.AwaitsApproval && t.Username == username));
            }
        }
    }

    /// <summary>Takes every Pending transaction of the user for one awaiting approval, also one waiting for a validator.</summary>
    private sealed class AnyPendingStore : DelegatingTransactionStore
    {
        public override ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Inner.Transactions.FirstOrDefault(t => t.State == ScepTransactionState.Pending && t.Username == username));
    }

    /// <summary>Updates whenever the transaction exists.</summary>
    private sealed class VersionIgnoringStore : DelegatingTransactionStore
    {
        public override async ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken) =>
            await Inner.FindAsync(transaction.Alias, transaction.TransactionId, cancellationToken) is { } current
            && await Inner.TryUpdateAsync(transaction, current.Version, cancellationToken);
    }

    /// <summary>Serializes the record without the refusal's category (a field added to ScepTransaction after the store was written).</summary>
    private sealed class CategoryDroppingStore : DelegatingTransactionStore
    {
        public override ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken) =>
            Inner.TryAddAsync(transaction with { RefusalCategory = null }, cancellationToken);

        public override ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken) =>
            Inner.TryUpdateAsync(transaction with { RefusalCategory = null }, expectedVersion, cancellationToken);
    }

    private static ContractOver Over(Func<IScepTransactionStore> create) => new(() => Stores.With(transactions: create()));

    [Test]
    public async Task CaseSensitiveAliases_FailTheLookupCheck()
    {
        var failure = await Over(() => new CaseSensitiveAliasStore()).FailsAsync("Transactions_Find_IsByCaseInsensitiveAliasAndExactTransactionId");

        failure.Expected.Should().StartWith("FindAsync(\"SCEP\", \"TxId-1\") to return the transaction added as \"scep\"/\"TxId-1\"");
        failure.Found.Should().Be("FindAsync returned null");
    }

    [Test]
    public async Task CaseSensitiveAliases_FailTheConcurrentAddCheck()
    {
        var failure = await Over(() => new CaseSensitiveAliasStore()).FailsAsync("Transactions_FiftyConcurrentAddsOfOneKey_ExactlyOneWins");

        failure.Found.Should().Be("2 did", "one \"scep\" and one \"SCEP\" add wins");
    }

    [Test]
    public async Task ApprovalQueryThatTakesAnyPendingTransaction_FailsTheApprovalQueryCheck()
    {
        var failure = await Over(() => new AnyPendingStore()).FailsAsync("Transactions_FindAwaitingApproval_ReturnsOnlyTheUsersTransactionPendingApproval");

        failure.Expected.Should().StartWith("FindAwaitingApprovalAsync(\"alice\") to return null");
        failure.Found.Should().Be("transaction \"scep\"/\"alice-validation\" (state Pending, version 0)");
    }

    [Test]
    public async Task TryUpdateThatIgnoresTheVersion_FailsTheStaleVersionCheck()
    {
        var failure = await Over(() => new VersionIgnoringStore()).FailsAsync("Transactions_TryUpdate_WithAStaleVersion_FailsAndChangesNothing");

        failure.Expected.Should().Be("TryUpdateAsync with expected version 0 to return false while the stored version is 1");
        failure.Found.Should().Be("true");
    }

    [Test]
    public async Task RecordThatDropsAField_FailsBothRoundTripsNamingTheField()
    {
        var contract = Over(() => new CategoryDroppingStore());

        var added = await contract.FailsAsync("Transactions_EveryField_RoundTripsThroughTryAdd");
        var updated = await contract.FailsAsync("Transactions_EveryField_RoundTripsThroughTryUpdate");

        added.Found.Should().Be("RefusalCategory null instead of AuthorityRejected");
        updated.Found.Should().Be("RefusalCategory null instead of AuthorityRejected");
    }
}
