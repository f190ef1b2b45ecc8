using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Scep.Protocol.Server.Storage;

/// <summary>Registers the database stores with the SCEP server: one call.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// End entities, transactions, issued certificates, revocations, CRLs and approvals in the SQLite file
    /// <paramref name="path"/> (created with its folder; WAL mode, so admin tools can work on it while the server runs).
    /// </summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="path">The database file.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddSqliteStores(this ScepServerBuilder builder, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.AddDatabaseStores(_ => new SqliteScepDatabase(path));
    }

    /// <summary>The same stores in PostgreSQL (several server instances may share it).</summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddPostgreSqlStores(this ScepServerBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.AddDatabaseStores(_ => new PostgresScepDatabase(connectionString));
    }

    /// <summary>
    /// The stores over a database made by <paramref name="database"/> (called once): <see cref="DatabaseEndEntityStore"/>,
    /// <see cref="DatabaseTransactionStore"/> and <see cref="DatabaseCertificateStore"/> (the last is what
    /// <c>AddIssuingAuthority</c> records in). The schema is migrated when the host starts, before it serves, and in any
    /// case before the first statement.
    /// </summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="database">Makes the database.</param>
    /// <returns>The builder.</returns>
    public static ScepServerBuilder AddDatabaseStores(this ScepServerBuilder builder, Func<IServiceProvider, ScepDatabase> database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        builder.Services.TryAddSingleton(database);
        builder.Services.TryAddSingleton<DatabaseEndEntityStore>();
        builder.Services.TryAddSingleton<DatabaseTransactionStore>();
        builder.Services.TryAddSingleton<DatabaseCertificateStore>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DatabaseMigration>());
        return builder
            .AddEndEntityStore<DatabaseEndEntityStore>()
            .AddTransactionStore<DatabaseTransactionStore>()
            .AddCertificateStore<DatabaseCertificateStore>();
    }

    /// <summary>
    /// Migrates the schema in the host's "starting" phase, before any hosted service (the web server among them) starts,
    /// when the server's stores are the database's (a host may register them and then choose other stores).
    /// </summary>
    private sealed class DatabaseMigration(IServiceProvider services) : IHostedLifecycleService
    {
        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            if (services.GetService<IEndEntityStore>() is DatabaseEndEntityStore
                || services.GetService<IScepTransactionStore>() is DatabaseTransactionStore
                || services.GetService<ICertificateStore>() is DatabaseCertificateStore)
            {
                await services.GetRequiredService<ScepDatabase>().InitializeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
