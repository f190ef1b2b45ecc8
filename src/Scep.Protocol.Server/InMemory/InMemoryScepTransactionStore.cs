using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.InMemory;

/// <summary>An <see cref="IScepTransactionStore"/> in memory: the default, right for one instance; several instances behind a load balancer need a shared store.</summary>
public sealed class InMemoryScepTransactionStore : IScepTransactionStore
{
    private readonly Dictionary<(string, string), ScepTransaction> _transactions = new();
    private readonly Lock _lock = new();

    /// <summary>All transactions, a snapshot.</summary>
    public IReadOnlyList<ScepTransaction> Transactions
    {
        get
        {
            lock (_lock)
            {
                return _transactions.Values.ToList();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_transactions.GetValueOrDefault(Key(alias, transactionId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        lock (_lock)
        {
            return ValueTask.FromResult(_transactions.TryAdd(Key(transaction.Alias, transaction.TransactionId), transaction with { Version = 0 }));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var key = Key(transaction.Alias, transaction.TransactionId);
        lock (_lock)
        {
            if (!_transactions.TryGetValue(key, out var current) || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _transactions[key] = transaction with { Version = expectedVersion + 1 };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        lock (_lock)
        {
            return ValueTask.FromResult(_transactions.Values.FirstOrDefault(t => t.AwaitsApproval && t.Username == username));
        }
    }

    private static (string, string) Key(string alias, string transactionId) => (alias.ToUpperInvariant(), transactionId);
}
