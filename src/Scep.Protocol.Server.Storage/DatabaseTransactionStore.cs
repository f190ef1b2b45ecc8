using System;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// SCEP transactions in the database: added through the primary key, updated by compare-and-swap on the version.
/// The record itself is kept as JSON (with the key, state, user and times as columns for queries), so fields the
/// pipeline adds to <see cref="ScepTransaction"/> are stored without a schema change.
/// </summary>
public sealed class DatabaseTransactionStore : IScepTransactionStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private readonly ScepDatabase _database;

    /// <summary>Creates the store.</summary>
    /// <param name="database">The database.</param>
    public DatabaseTransactionStore(ScepDatabase database)
    {
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(transactionId);
        var rows = await _database.QueryAsync(
            "SELECT record, version FROM scep_transactions WHERE alias_key = @alias_key AND transaction_id = @transaction_id",
            [("alias_key", AliasKey(alias)), ("transaction_id", transactionId)],
            Read,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var added = await _database.ExecuteAsync(
            """
            INSERT INTO scep_transactions (alias_key, transaction_id, state, username, created_at, updated_at, record, version)
            VALUES (@alias_key, @transaction_id, @state, @username, @created_at, @updated_at, @record, 0)
            ON CONFLICT (alias_key, transaction_id) DO NOTHING
            """,
            Parameters(transaction with { Version = 0 }),
            cancellationToken).ConfigureAwait(false);
        return added == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var updated = await _database.ExecuteAsync(
            """
            UPDATE scep_transactions SET state = @state, username = @username, created_at = @created_at, updated_at = @updated_at,
                record = @record, version = @expected + 1
            WHERE alias_key = @alias_key AND transaction_id = @transaction_id AND version = @expected
            """,
            [.. Parameters(transaction with { Version = expectedVersion + 1 }), ("expected", expectedVersion)],
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <inheritdoc />
    public async ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        // Served by the partial index scep_transactions_pending (schema version 2); state 2 is Pending.
        var rows = await _database.QueryAsync(
            "SELECT record, version FROM scep_transactions WHERE username = @username AND state = 2",
            [("username", username)],
            Read,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault(t => t.AwaitsApproval);
    }

    /// <summary>Aliases are case-insensitive: the key is the upper-case name.</summary>
    private static string AliasKey(string alias) => alias.ToUpperInvariant();

    private static (string, object?)[] Parameters(ScepTransaction t) =>
    [
        ("alias_key", AliasKey(t.Alias)),
        ("transaction_id", t.TransactionId),
        ("state", (long)t.State),
        ("username", t.Username),
        ("created_at", t.CreatedAt.UtcTicks),
        ("updated_at", t.UpdatedAt.UtcTicks),
        ("record", JsonSerializer.Serialize(t, Json)),
    ];

    private static ScepTransaction Read(DbDataReader reader) =>
        (JsonSerializer.Deserialize<ScepTransaction>(reader.GetString(0), Json) ?? throw new InvalidDataException("An empty transaction record."))
            with
        { Version = reader.GetInt64(1) };
}
