using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// PostgreSQL, used when <c>ConnectionStrings:Scep</c> is set: several host instances behind a load balancer
/// share it; compare-and-swap updates and primary keys keep them from issuing twice for one code or transaction.
/// </summary>
public sealed class PostgresScepDatabase : ScepDatabase
{
    // Any constant: serializes schema creation when several instances start at once.
    private const long SchemaLockKey = 0x5C3B_0001;
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>A database on a PostgreSQL server.</summary>
    /// <param name="connectionString">An Npgsql connection string (its password is never shown: <see cref="Location"/>).</param>
    public PostgresScepDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc />
    public override string ProviderName => "PostgreSQL";

    /// <summary>Host, port and database, without credentials.</summary>
    public override string Location { get; }

    private protected override async ValueTask InitializeCoreAsync(CancellationToken cancellationToken) =>
        await MigrateInTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>An advisory lock for the transaction: instances that start together migrate one after the other.</summary>
    private protected override async ValueTask LockForMigrationAsync(DbSession session, CancellationToken cancellationToken) =>
        await session.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", [("key", SchemaLockKey)], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>A pooled connection per session (several instances share the server; Npgsql pools the connections).</summary>
    internal override async ValueTask<DbSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        new Session(await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false));

    internal override System.Data.IsolationLevel WriteIsolation => System.Data.IsolationLevel.ReadCommitted;

    internal override string IntegerType => "BIGINT";

    internal override string BlobType => "BYTEA";

    internal override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private sealed class Session(NpgsqlConnection connection) : DbSession
    {
        public override DbConnection Connection => connection;

        public override ValueTask DisposeAsync() => connection.DisposeAsync();

        protected override DbCommand GetCommand(string sql) =>
#pragma warning disable CA2100 // every statement is a constant of this assembly; values are parameters
            new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
    }
}
