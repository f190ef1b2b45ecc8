using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Storage;

/// <summary>
/// The sample host's database: end entities, SCEP transactions, issued certificates, revocations, pending
/// requests and CRLs. Two providers share every query (plain SQL that SQLite and PostgreSQL both run:
/// <c>ON CONFLICT</c>, <c>RETURNING</c>, compare-and-swap <c>UPDATE ... WHERE version = @v</c>); only the schema types
/// and the connection differ. The schema is versioned and migrated on start (<see cref="SchemaMigrations"/>).
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

    /// <summary>Brings the schema to <see cref="SchemaMigrations.Latest"/> inside the caller's write transaction (see <see cref="SchemaMigrations"/>).</summary>
    internal async ValueTask MigrateAsync(DbSession session, CancellationToken cancellationToken) =>
        await SchemaMigrations.ApplyAsync(session, IntegerType, BlobType, cancellationToken).ConfigureAwait(false);

    /// <summary>The provider's 64-bit integer type.</summary>
    internal abstract string IntegerType { get; }

    /// <summary>The provider's binary type.</summary>
    internal abstract string BlobType { get; }
}
