using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Storage;

/// <summary>
/// The sample host's database: end entities, SCEP transactions, issued certificates, revocations, pending
/// requests and CRLs. Two providers share every query (plain SQL that SQLite and PostgreSQL both run:
/// <c>ON CONFLICT</c>, <c>RETURNING</c>, compare-and-swap <c>UPDATE ... WHERE version = @v</c>); only the schema types
/// and the connection differ. The schema is created on start, idempotently.
/// </summary>
public abstract class ScepDatabase : IAsyncDisposable
{
    /// <summary>"SQLite" or "PostgreSQL".</summary>
    public abstract string ProviderName { get; }

    /// <summary>Where the data is, without secrets (a path, or host and database).</summary>
    public abstract string Location { get; }

    /// <summary>The SQLite file in the data folder, or PostgreSQL when <paramref name="connectionString"/> is set.</summary>
    public static ScepDatabase Create(string dataDirectory, string sqliteFileName, string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? new SqliteScepDatabase(Path.Combine(dataDirectory, sqliteFileName))
            : new PostgresScepDatabase(connectionString);

    /// <summary>Creates the tables that do not exist yet.</summary>
    public abstract ValueTask InitializeAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>A session on a connection, for one statement or one transaction (the caller disposes it).</summary>
    internal abstract ValueTask<DbSession> OpenSessionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The isolation of <see cref="InTransactionAsync"/>: SQLite's Serializable is <c>BEGIN IMMEDIATE</c> (the write lock
    /// first, so no transaction fails half-way); PostgreSQL's Read Committed re-checks an <c>UPDATE</c>'s condition
    /// after waiting for a row lock, which is what the compare-and-swap statements need.
    /// </summary>
    internal abstract IsolationLevel WriteIsolation { get; }

    /// <summary>Whether the exception is a primary-key or unique-constraint violation.</summary>
    internal abstract bool IsUniqueViolation(DbException exception);

    internal async ValueTask<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.ExecuteAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async ValueTask<List<T>> QueryAsync<T>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.QueryAsync(sql, parameters, read, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction (SQLite: <c>BEGIN IMMEDIATE</c>); commits unless it throws.</summary>
    internal async ValueTask<T> InTransactionAsync<T>(Func<DbSession, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var transaction = await session.Connection.BeginTransactionAsync(WriteIsolation, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                session.Transaction = transaction;
                try
                {
                    var result = await work(session).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
                finally
                {
                    session.Transaction = null;
                }
            }
        }
    }

    internal static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static long? NullableInt64(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    internal static byte[]? NullableBytes(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : (byte[])reader.GetValue(ordinal);

    internal static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    internal static DateTimeOffset? Time(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The statements of <see cref="Schema"/> with the provider's types for <c>{int}</c> and <c>{blob}</c>.</summary>
    internal static IEnumerable<string> SchemaWith(string integerType, string blobType) =>
        Schema.Select(statement => statement.Replace("{int}", integerType, StringComparison.Ordinal).Replace("{blob}", blobType, StringComparison.Ordinal));

    /// <summary>The tables; <c>{blob}</c> and <c>{int}</c> are replaced by the provider's types (<see cref="SchemaWith"/>).</summary>
    internal static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS end_entities (
            username TEXT NOT NULL PRIMARY KEY,
            code_hash TEXT NULL,
            status {int} NOT NULL,
            subject_dn TEXT NULL,
            alias TEXT NULL,
            profile_data TEXT NOT NULL,
            status_changed_at {int} NOT NULL,
            created_at {int} NOT NULL,
            version {int} NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS scep_transactions (
            alias_key TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            state {int} NOT NULL,
            username TEXT NULL,
            created_at {int} NOT NULL,
            updated_at {int} NOT NULL,
            record TEXT NOT NULL,
            version {int} NOT NULL,
            PRIMARY KEY (alias_key, transaction_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS certificates (
            serial TEXT NOT NULL PRIMARY KEY,
            issuer_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            username TEXT NULL,
            alias TEXT NULL,
            transaction_id TEXT NULL,
            not_before {int} NOT NULL,
            not_after {int} NOT NULL,
            issued_at {int} NOT NULL,
            der {blob} NOT NULL,
            revoked_at {int} NULL,
            revocation_reason {int} NULL)
        """,
        "CREATE INDEX IF NOT EXISTS certificates_revoked ON certificates (issuer_id, revoked_at)",
        // FindIssuedAsync after a crash: by transaction, or by user since a reservation; without these a scan of every certificate.
        "CREATE INDEX IF NOT EXISTS certificates_transaction ON certificates (transaction_id)",
        "CREATE INDEX IF NOT EXISTS certificates_username ON certificates (username, issued_at)",
        """
        CREATE TABLE IF NOT EXISTS pending_requests (
            id TEXT NOT NULL PRIMARY KEY,
            alias TEXT NOT NULL,
            issuer_id TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            username TEXT NULL,
            subject TEXT NOT NULL,
            subject_der {blob} NOT NULL,
            csr {blob} NOT NULL,
            requested_at {int} NOT NULL,
            state {int} NOT NULL,
            reason TEXT NULL,
            certificate_serial TEXT NULL,
            decided_at {int} NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS crl_state (
            issuer_id TEXT NOT NULL PRIMARY KEY,
            crl_number {int} NOT NULL,
            revision {int} NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS crls (
            issuer_id TEXT NOT NULL PRIMARY KEY,
            crl_number {int} NOT NULL,
            revision {int} NOT NULL,
            this_update {int} NOT NULL,
            next_update {int} NOT NULL,
            der {blob} NOT NULL)
        """,
    ];
}
