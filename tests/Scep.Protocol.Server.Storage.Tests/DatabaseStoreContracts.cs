using System;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.Protocol.Server.Storage.Tests;

/// <summary>The SQLite stores keep the whole store contract (Scep.Protocol.Server.Testing): a fresh database file per check.</summary>
[TestFixture]
public sealed class SqliteStoreContract : ScepStoreContract
{
    [TestCaseSource(typeof(ScepStoreContract), nameof(Checks))]
    public Task Check(string name) => RunAsync(name);

    protected override async ValueTask<ScepStores> CreateStoresAsync()
    {
        var folder = new TempDirectory("scep-contract-");
        var database = new SqliteScepDatabase(folder.File("scep.db"));
        await database.InitializeAsync(default);
        return Stores(database, async () =>
        {
            await database.DisposeAsync();
            folder.Dispose();
        });
    }

    internal static ScepStores Stores(ScepDatabase database, Func<ValueTask> release) => new()
    {
        EndEntities = new DatabaseEndEntityStore(database, TimeProvider.System),
        Transactions = new DatabaseTransactionStore(database),
        Certificates = new DatabaseCertificateStore(database),
        Release = release,
    };
}

/// <summary>The PostgreSQL stores keep the whole store contract: a fresh database per check, dropped after it.</summary>
[TestFixture]
public sealed class PostgresStoreContract : ScepStoreContract
{
    [TestCaseSource(typeof(ScepStoreContract), nameof(Checks))]
    public Task Check(string name) => RunAsync(name);

    protected override async ValueTask<ScepStores> CreateStoresAsync()
    {
        var server = await PostgresTestDatabase.CreateAsync();
        var database = new PostgresScepDatabase(server.ConnectionString);
        await database.InitializeAsync(default);
        return SqliteStoreContract.Stores(database, async () =>
        {
            await database.DisposeAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
            await server.DisposeAsync();
        });
    }
}
