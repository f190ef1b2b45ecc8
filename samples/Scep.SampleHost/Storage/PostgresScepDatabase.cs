using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Scep.SampleHost.Storage;

/// <summary>
/// PostgreSQL, used when <c>ConnectionStrings:Scep</c> is set: several host instances behind a load balancer
/// share it; compare-and-swap updates and primary keys keep them from issuing twice for one code or transaction.
/// </summary>
public sealed class PostgresScepDatabase : ScepDatabase
{
    // Any constant: serializes schema creation when several instances start at once.
    private const long SchemaLockKey = 0x5C3B_0001;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresScepDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string ProviderName => "PostgreSQL";

    public override string Location { get; }

    public override async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await InTransactionAsync(
            async session =>
            {
                await session.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", [("key", SchemaLockKey)], cancellationToken).ConfigureAwait(false);
                await MigrateAsync(session, cancellationToken).ConfigureAwait(false);

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

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
