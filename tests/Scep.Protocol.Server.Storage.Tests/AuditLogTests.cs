using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.Protocol.Server.Storage.Tests;

/// <summary>The audit log (schema version 3) keeps entries in order, pages through them, and bounds what a caller writes.</summary>
public abstract class AuditLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    protected abstract ValueTask<(ScepDatabase Database, IAsyncDisposable Owner)> OpenAsync();

    [Test]
    public async Task Entries_AreListedNewestFirst_WithEveryField()
    {
        var (database, owner) = await OpenAsync();
        await using var _ = owner;
        var log = new DatabaseAuditLog(database, _time);
        await log.AppendAsync("api-key:ops", "entity.create", "router-1", AuditOutcome.Succeeded, null, default);
        _time.Advance(TimeSpan.FromSeconds(1));
        await log.AppendAsync("cli:root", "certificate.revoke", "0A1B", AuditOutcome.Refused, "already revoked", default);

        var entries = await log.ListAsync(10, null, default);

        entries.Select(e => e.Action).Should().Equal("certificate.revoke", "entity.create");
        entries[0].Should().BeEquivalentTo(new { Actor = "cli:root", Target = "0A1B", Outcome = AuditOutcome.Refused, Detail = "already revoked", At = _time.GetUtcNow() });
        entries[1].Detail.Should().BeNull();
    }

    [Test]
    public async Task ListAsync_PagesWithTheLastIdOfThePreviousPage()
    {
        var (database, owner) = await OpenAsync();
        await using var _ = owner;
        var log = new DatabaseAuditLog(database, _time);
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync("cli:root", "entity.create", $"device-{i}", AuditOutcome.Succeeded, null, default);
        }

        var first = await log.ListAsync(2, null, default);
        var second = await log.ListAsync(2, first[^1].Id, default);
        var third = await log.ListAsync(2, second[^1].Id, default);

        first.Concat(second).Concat(third).Select(e => e.Target).Should().Equal("device-4", "device-3", "device-2", "device-1", "device-0");
    }

    [Test]
    public async Task AppendAsync_CutsOverlongFields()
    {
        var (database, owner) = await OpenAsync();
        await using var _ = owner;
        var log = new DatabaseAuditLog(database, _time);

        await log.AppendAsync(new string('a', 5000), "entity.create", new string('t', 5000), AuditOutcome.Failed, new string('d', 50_000), default);

        var entry = (await log.ListAsync(1, null, default)).Single();
        entry.Actor.Should().HaveLength(DatabaseAuditLog.MaxFieldLength);
        entry.Target.Should().HaveLength(DatabaseAuditLog.MaxFieldLength);
        entry.Detail.Should().HaveLength(DatabaseAuditLog.MaxDetailLength);
    }
}

public sealed class SqliteAuditLogTests : AuditLogTests
{
    protected override async ValueTask<(ScepDatabase, IAsyncDisposable)> OpenAsync()
    {
        var folder = new TempDirectory("scep-audit-");
        var database = new SqliteScepDatabase(folder.File("scep.db"));
        await database.InitializeAsync(default);
        return (database, new Owner(async () =>
        {
            await database.DisposeAsync();
            folder.Dispose();
        }));
    }

    private sealed class Owner(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }

    internal static IAsyncDisposable Releasing(Func<ValueTask> release) => new Owner(release);
}

public sealed class PostgresAuditLogTests : AuditLogTests
{
    protected override async ValueTask<(ScepDatabase, IAsyncDisposable)> OpenAsync()
    {
        var server = await PostgresTestDatabase.CreateAsync();
        var database = new PostgresScepDatabase(server.ConnectionString);
        await database.InitializeAsync(default);
        return (database, SqliteAuditLogTests.Releasing(async () =>
        {
            await database.DisposeAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
            await server.DisposeAsync();
        }));
    }
}
