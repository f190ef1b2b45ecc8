using System;
using System.Data.Common;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Scep.SampleHost.Storage;

/// <summary>
/// The default store: one SQLite file in the data folder, in WAL mode with a busy timeout, so that admin
/// commands (another process) read and write while the server runs.
/// </summary>
public sealed class SqliteScepDatabase : ScepDatabase
{
    private const int BusyTimeoutSeconds = 30;

    /// <summary>
    /// Page cache per pooled connection, in KiB (SQLite's default is 2,000). Filled only with pages read, so it
    /// grows with the database up to this bound per open connection. With the default, CPU per enrollment grew more
    /// as the database grew (docs/performance.md, linear cost).
    /// </summary>
    private const int CacheKiB = 32 * 1024;
    private static readonly object Configured = new();
    private readonly string _connectionString;

    /// <summary>The native connections (pooled across opens) whose PRAGMAs are set.</summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

    public SqliteScepDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    public string Path { get; }

    public override string ProviderName => "SQLite";

    public override string Location => Path;

    public override async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file: set once, kept by every later connection.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", [], cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                foreach (var statement in Schema)
                {
                    await ExecuteAsync(connection, transaction, statement.Replace("{int}", "INTEGER", StringComparison.Ordinal).Replace("{blob}", "BLOB", StringComparison.Ordinal), [], cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override ValueTask DisposeAsync()
    {
        // Closes this file's pooled connections (and so its WAL handles); other databases' pools stay.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    internal override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Per native connection, which the pool keeps open: once, not at every Open (an enrollment opens about
            // eight times). busy_timeout: wait in SQLite itself instead of failing when another process holds the
            // write lock; synchronous=NORMAL: with WAL, a commit survives a crash of the process, and only an OS
            // crash or power loss can take the last commits back (they are not fsync'ed one by one).
            if (connection.Handle is { } handle && !_configured.TryGetValue(handle, out _))
            {
                await ExecuteAsync(connection, null, $"PRAGMA busy_timeout={BusyTimeoutSeconds * 1000}; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{CacheKiB}", [], cancellationToken).ConfigureAwait(false);
                _configured.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal override System.Data.IsolationLevel WriteIsolation => System.Data.IsolationLevel.Serializable;

    internal override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT
}
