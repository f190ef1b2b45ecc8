using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// The SCEP server's database: end entities, SCEP transactions, issued certificates, revocations, requests held for
/// approval and CRLs. Two providers share every query (plain SQL that SQLite and PostgreSQL both run:
/// <c>ON CONFLICT</c>, <c>RETURNING</c>, compare-and-swap <c>UPDATE ... WHERE version = @v</c>); only the schema types
/// and the connection differ. The schema is versioned: <see cref="InitializeAsync"/> applies the migrations a database
/// lacks, once, at start-up (the builder registers it) and in any case before the first statement.
/// </summary>
public abstract class ScepDatabase : IAsyncDisposable
{
    private readonly Lock _initializationLock = new();
    private Task? _initialization;
    private volatile bool _initialized;

    private protected ScepDatabase()
    {
    }

    /// <summary>"SQLite" or "PostgreSQL".</summary>
    public abstract string ProviderName { get; }

    /// <summary>Where the data is, without secrets (a path, or host and database).</summary>
    public abstract string Location { get; }

    /// <summary>The SQLite file <paramref name="sqlitePath"/>, or PostgreSQL when <paramref name="connectionString"/> is set.</summary>
    /// <param name="sqlitePath">The SQLite file (created with its folder when missing).</param>
    /// <param name="connectionString">A PostgreSQL connection string, or null or blank for SQLite.</param>
    /// <returns>The database.</returns>
    public static ScepDatabase Create(string sqlitePath, string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? new SqliteScepDatabase(sqlitePath)
            : new PostgresScepDatabase(connectionString);

    /// <summary>
    /// Brings the schema to the version this code writes (<see cref="SchemaVersion"/>), once: the first call migrates, the
    /// others wait for it; after a failure the next call tries again. A database newer than this code is refused.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the migration itself runs to its end).</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this code.</exception>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        Task initialization;
        lock (_initializationLock)
        {
            initialization = _initialization ??= InitializeOnceAsync();
        }

        try
        {
            await initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (initialization.IsFaulted)
        {
            lock (_initializationLock)
            {
                if (ReferenceEquals(_initialization, initialization))
                {
                    _initialization = null;
                }
            }

            throw;
        }
    }

    /// <summary>The schema version this code writes (the number of the last migration).</summary>
    public static int SchemaVersion => SchemaMigrations.Latest;

    /// <summary>Runs one query, to tell whether the database answers (a health check).</summary>
    /// <param name="cancellationToken">Cancels it.</param>
    /// <returns>A task that fails when the database does not answer.</returns>
    public async ValueTask CheckAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT 1", [], r => r.GetValue(0), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>The provider's migration: its own connection settings, then <see cref="MigrateInTransactionAsync"/>.</summary>
    private protected abstract ValueTask InitializeCoreAsync(CancellationToken cancellationToken);

    private async Task InitializeOnceAsync()
    {
        await InitializeCoreAsync(CancellationToken.None).ConfigureAwait(false);
        _initialized = true;
    }

    /// <summary>A session for a statement of the stores: the schema is migrated first.</summary>
    private async ValueTask<DbSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session on a connection, for one statement or one transaction (the caller disposes it).</summary>
    internal abstract ValueTask<DbSession> OpenSessionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The isolation of the write transactions: SQLite's Serializable is <c>BEGIN IMMEDIATE</c> (the write lock
    /// first, so no transaction fails half-way); PostgreSQL's Read Committed re-checks an <c>UPDATE</c>'s condition
    /// after waiting for a row lock, which is what the compare-and-swap statements need.
    /// </summary>
    internal abstract IsolationLevel WriteIsolation { get; }

    /// <summary>Whether the exception is a primary-key or unique-constraint violation.</summary>
    internal abstract bool IsUniqueViolation(DbException exception);

    internal async ValueTask<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.ExecuteAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async ValueTask<List<T>> QueryAsync<T>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await session.QueryAsync(sql, parameters, read, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction (SQLite: <c>BEGIN IMMEDIATE</c>); commits unless it throws.</summary>
    internal async ValueTask<T> InTransactionAsync<T>(Func<DbSession, ValueTask<T>> work, CancellationToken cancellationToken) =>
        await InTransactionAsync(await SessionAsync(cancellationToken).ConfigureAwait(false), work, cancellationToken).ConfigureAwait(false);

    /// <summary>The migration's transaction: on a session opened without migrating first.</summary>
    private protected async ValueTask MigrateInTransactionAsync(CancellationToken cancellationToken) =>
        await InTransactionAsync(
            await OpenSessionAsync(cancellationToken).ConfigureAwait(false),
            async session =>
            {
                await LockForMigrationAsync(session, cancellationToken).ConfigureAwait(false);
                await SchemaMigrations.ApplyAsync(session, IntegerType, BlobType, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>Keeps other instances from migrating at the same time, inside the migration's transaction (SQLite's write lock does already).</summary>
    private protected virtual ValueTask LockForMigrationAsync(DbSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private async ValueTask<T> InTransactionAsync<T>(DbSession session, Func<DbSession, ValueTask<T>> work, CancellationToken cancellationToken)
    {
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

    /// <summary>The provider's 64-bit integer type.</summary>
    internal abstract string IntegerType { get; }

    /// <summary>The provider's binary type.</summary>
    internal abstract string BlobType { get; }
}
