using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// The default store: one SQLite file in the data folder, in WAL mode with a busy timeout, so that admin
/// commands (another process) read and write while the server runs.
/// </summary>
/// <remarks>
/// The process uses one connection, one session at a time, and keeps each statement prepared on it. SQLite runs one
/// write transaction at a time anyway; with several connections each one also dropped its page cache whenever
/// another had written (every enrollment writes), parsed every statement again, and waited in SQLite's busy handler
/// for the write lock. With one, a stand-alone benchmark of an enrollment's seven statements from two threads took
/// 0.33 instead of 0.75 ms CPU, and the server 2–3% less CPU per enrollment (docs/performance.md, change 9). Reads
/// wait for the session before them, which takes tens of microseconds.
/// </remarks>
public sealed class SqliteScepDatabase : ScepDatabase
{
    private const int BusyTimeoutSeconds = 30;

    /// <summary>
    /// Page cache of the connection, in KiB (SQLite's default is 2,000). Filled only with pages read, so it grows
    /// with the database up to this bound. With the default, CPU per enrollment grew as the database grew
    /// (docs/performance.md, linear cost).
    /// </summary>
    private const int CacheKiB = 32 * 1024;
    private readonly string _connectionString;

    /// <summary>One session at a time holds the connection.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Guarded by <see cref="_gate"/>: the connection (opened at first use, again after a failure) and its statements.</summary>
    private SqliteConnection? _connection;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>A database in the SQLite file <paramref name="path"/> (created with its folder when missing).</summary>
    /// <param name="path">The file.</param>
    public SqliteScepDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The one connection is kept open; one that failed is closed for good, not given back to a pool.
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string ProviderName => "SQLite";

    /// <inheritdoc />
    public override string Location => Path;

    private protected override async ValueTask InitializeCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // WAL is a property of the file: set once, kept by every later connection. Not inside a transaction.
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ExecuteAsync("PRAGMA journal_mode=WAL", [], cancellationToken).ConfigureAwait(false);
        }

        await MigrateInTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the session in progress, then closes the connection (and so the file's WAL handles).</summary>
    public override async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            Close();
        }
        finally
        {
            _gate.Release();
        }
    }

    internal override async ValueTask<DbSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection ??= await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new Session(this, _connection);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    internal override System.Data.IsolationLevel WriteIsolation => System.Data.IsolationLevel.Serializable;

    internal override string IntegerType => "INTEGER";

    internal override string BlobType => "BLOB";

    internal override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT

    private async ValueTask<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // busy_timeout: wait in SQLite itself instead of failing when another process holds the write lock;
            // synchronous=NORMAL: with WAL, a commit survives a crash of the process, and only an OS crash or power
            // loss can take the last commits back (they are not fsync'ed one by one).
            var pragmas = connection.CreateCommand();
            await using (pragmas.ConfigureAwait(false))
            {
                pragmas.CommandText = $"PRAGMA busy_timeout={BusyTimeoutSeconds * 1000}; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{CacheKiB}";
                await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Under the gate: closes the connection and its statements; the next session opens a new one.</summary>
    private void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection?.Dispose();
        _connection = null;
    }

    private sealed class Session(SqliteScepDatabase database, SqliteConnection connection) : DbSession
    {
        private bool _failed;
        private bool _disposed;

        public override DbConnection Connection => connection;

        public override ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            try
            {
                if (_failed)
                {
                    database.Close();
                }
            }
            finally
            {
                database._gate.Release();
            }

            return ValueTask.CompletedTask;
        }

        protected override DbCommand GetCommand(string sql)
        {
            if (!database._commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
#pragma warning disable CA2100 // every statement is a constant of this assembly; values are parameters
                command.CommandText = sql;
#pragma warning restore CA2100
                database._commands.Add(sql, command);
            }

            return command;
        }

        /// <summary>Kept, prepared, for the next use; the values are let go.</summary>
        protected override ValueTask ReturnCommandAsync(DbCommand command)
        {
            command.Parameters.Clear();
            command.Transaction = null;
            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// Anything but a constraint violation (a busy timeout, an interrupted statement, an I/O error) may leave the
        /// connection in a state nobody should inherit: it is closed when the session ends and opened anew.
        /// </summary>
        protected override void OnFailure(DbException exception)
        {
            if (!database.IsUniqueViolation(exception))
            {
                _failed = true;
            }
        }
    }
}
