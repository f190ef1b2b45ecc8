using System;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Server;

namespace Scep.SampleHost.Storage;

/// <summary>SCEP transactions in the database: added through the primary key, updated by compare-and-swap on the version.</summary>
public sealed class DatabaseTransactionStore : IScepTransactionStore
{
    private const string Columns =
        "alias, transaction_id, requester_key_id, state, message_type, username, issued_certificate, pending_reference, fail_info, fail_info_text, created_at, updated_at, version";

    private readonly ScepDatabase _database;

    public DatabaseTransactionStore(ScepDatabase database)
    {
        _database = database;
    }

    public async ValueTask<ScepTransaction?> FindAsync(string alias, string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(transactionId);
        var rows = await _database.QueryAsync(
            $"SELECT {Columns} FROM scep_transactions WHERE alias_key = @alias_key AND transaction_id = @transaction_id",
            [("alias_key", AliasKey(alias)), ("transaction_id", transactionId)],
            Read,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    public async ValueTask<bool> TryAddAsync(ScepTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var added = await _database.ExecuteAsync(
            $"""
            INSERT INTO scep_transactions (alias_key, {Columns})
            VALUES (@alias_key, @alias, @transaction_id, @requester_key_id, @state, @message_type, @username, @issued_certificate,
                    @pending_reference, @fail_info, @fail_info_text, @created_at, @updated_at, 0)
            ON CONFLICT (alias_key, transaction_id) DO NOTHING
            """,
            Parameters(transaction),
            cancellationToken).ConfigureAwait(false);
        return added == 1;
    }

    public async ValueTask<bool> TryUpdateAsync(ScepTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var updated = await _database.ExecuteAsync(
            """
            UPDATE scep_transactions SET requester_key_id = @requester_key_id, state = @state, message_type = @message_type,
                username = @username, issued_certificate = @issued_certificate, pending_reference = @pending_reference,
                fail_info = @fail_info, fail_info_text = @fail_info_text, created_at = @created_at, updated_at = @updated_at,
                version = @expected + 1
            WHERE alias_key = @alias_key AND transaction_id = @transaction_id AND version = @expected
            """,
            [.. Parameters(transaction), ("expected", expectedVersion)],
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>Aliases are case-insensitive: the key is the upper-case name.</summary>
    private static string AliasKey(string alias) => alias.ToUpperInvariant();

    private static (string, object?)[] Parameters(ScepTransaction t) =>
    [
        ("alias_key", AliasKey(t.Alias)),
        ("alias", t.Alias),
        ("transaction_id", t.TransactionId),
        ("requester_key_id", t.RequesterKeyId),
        ("state", (long)t.State),
        ("message_type", (long)t.MessageType),
        ("username", t.Username),
        ("issued_certificate", t.IssuedCertificate),
        ("pending_reference", t.PendingReference),
        ("fail_info", t.FailInfo is { } f ? (long)f : null),
        ("fail_info_text", t.FailInfoText),
        ("created_at", t.CreatedAt.UtcTicks),
        ("updated_at", t.UpdatedAt.UtcTicks),
    ];

    private static ScepTransaction Read(DbDataReader reader) => new()
    {
        Alias = reader.GetString(0),
        TransactionId = reader.GetString(1),
        RequesterKeyId = reader.GetString(2),
        State = (ScepTransactionState)reader.GetInt64(3),
        MessageType = (MessageType)reader.GetInt64(4),
        Username = ScepDatabase.NullableString(reader, 5),
        IssuedCertificate = ScepDatabase.NullableBytes(reader, 6),
        PendingReference = ScepDatabase.NullableString(reader, 7),
        FailInfo = ScepDatabase.NullableInt64(reader, 8) is { } failInfo ? (FailInfo)failInfo : null,
        FailInfoText = ScepDatabase.NullableString(reader, 9),
        CreatedAt = ScepDatabase.Time(reader.GetInt64(10)),
        UpdatedAt = ScepDatabase.Time(reader.GetInt64(11)),
        Version = reader.GetInt64(12),
    };
}
