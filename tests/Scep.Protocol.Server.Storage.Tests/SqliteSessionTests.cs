using System;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Storage.Tests;

/// <summary>
/// The SQLite provider's one connection: one session at a time, statements kept prepared across sessions and
/// transactions, a connection replaced after a failure, and writes of another process (an admin command) seen.
/// </summary>
[TestFixture]
public sealed class SqliteSessionTests
{
    private const string Insert = "INSERT INTO crl_state (issuer_id, crl_number, revision) VALUES (@issuer, 0, 0)";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TempDirectory _directory = null!;
    private SqliteScepDatabase _database = null!;

    [SetUp]
    public async Task CreateDatabase()
    {
        _directory = new TempDirectory("scep-sqlite-session-");
        _database = new SqliteScepDatabase(_directory.File("scep.db"));
        await _database.InitializeAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task DisposeDatabase()
    {
        await _database.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task ASecondSession_WaitsUntilTheFirstIsDisposed()
    {
        var first = await _database.OpenSessionAsync(CancellationToken.None);
        var second = _database.OpenSessionAsync(CancellationToken.None).AsTask();

        second.IsCompleted.Should().BeFalse("the first session still holds the connection");
        await first.DisposeAsync();
        var opened = await second.WaitAsync(Patience);
        opened.Connection.Should().BeSameAs(first.Connection, "the process keeps one connection");
        await opened.DisposeAsync();
    }

    [Test]
    public async Task WaitingForASession_EndsWhenCancelled_AndLeavesTheConnectionUsable()
    {
        var first = await _database.OpenSessionAsync(CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        var waiting = _database.OpenSessionAsync(cancellation.Token).AsTask();

        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => waiting.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        await first.DisposeAsync();
        (await _database.QueryAsync("SELECT 1", [], r => r.GetInt64(0), CancellationToken.None)).Should().Equal(1L);
    }

    [Test]
    public async Task AStatement_RunsInsideATransactionAndAfterIt()
    {
        const string Count = "SELECT COUNT(*) FROM crl_state WHERE issuer_id = @issuer";
        var inside = await _database.InTransactionAsync(
            async session =>
            {
                await session.ExecuteAsync(Insert, [("issuer", "ca-1")], CancellationToken.None);
                return (await session.QueryAsync(Count, [("issuer", "ca-1")], r => r.GetInt64(0), CancellationToken.None))[0];
            },
            CancellationToken.None);

        var after = (await _database.QueryAsync(Count, [("issuer", "ca-1")], r => r.GetInt64(0), CancellationToken.None))[0];

        inside.Should().Be(1);
        after.Should().Be(1, "the transaction committed");
    }

    [Test]
    public async Task ATransactionThatThrows_WritesNothing_AndTheStatementRunsAgainAfterIt()
    {
        var failing = _database.InTransactionAsync<bool>(
            async session =>
            {
                await session.ExecuteAsync(Insert, [("issuer", "ca-rolled-back")], CancellationToken.None);
                throw new InvalidOperationException("the work failed");
            },
            CancellationToken.None);

        await FluentActions.Awaiting(async () => await failing).Should().ThrowAsync<InvalidOperationException>();
        (await _database.QueryAsync("SELECT COUNT(*) FROM crl_state", [], r => r.GetInt64(0), CancellationToken.None)).Should().Equal(0L);
        (await _database.ExecuteAsync(Insert, [("issuer", "ca-rolled-back")], CancellationToken.None)).Should().Be(1);
    }

    [Test]
    public async Task AFailedStatement_ReplacesTheConnection_AndTheNextSessionWorks()
    {
        DbConnection before;
        await using (var session = await _database.OpenSessionAsync(CancellationToken.None))
        {
            before = session.Connection;
        }

        await FluentActions.Awaiting(async () => await _database.ExecuteAsync("INSERT INTO no_such_table VALUES (1)", [], CancellationToken.None))
            .Should().ThrowAsync<DbException>();

        await using (var session = await _database.OpenSessionAsync(CancellationToken.None))
        {
            session.Connection.Should().NotBeSameAs(before);
            (await session.QueryAsync("SELECT COUNT(*) FROM certificates", [], r => r.GetInt64(0), CancellationToken.None)).Should().Equal(0L);
        }
    }

    [Test]
    public async Task AUniqueViolation_KeepsTheConnection()
    {
        await _database.ExecuteAsync(Insert, [("issuer", "ca-1")], CancellationToken.None);
        DbConnection before;
        await using (var session = await _database.OpenSessionAsync(CancellationToken.None))
        {
            before = session.Connection;
        }

        var duplicate = await FluentActions.Awaiting(async () => await _database.ExecuteAsync(Insert, [("issuer", "ca-1")], CancellationToken.None))
            .Should().ThrowAsync<DbException>();

        _database.IsUniqueViolation(duplicate.Which).Should().BeTrue();
        await using (var session = await _database.OpenSessionAsync(CancellationToken.None))
        {
            session.Connection.Should().BeSameAs(before);
        }
    }

    [Test]
    public async Task WritesOfAnotherProcess_AreSeen_AndItSeesOurs()
    {
        // An admin command opens the file with its own database object (its own connection), as another process does.
        var admin = new SqliteScepDatabase(_database.Path);
        await using (admin)
        {
            var ours = new DatabaseEndEntityStore(_database, TimeProvider.System);
            var theirs = new DatabaseEndEntityStore(admin, TimeProvider.System);
            (await ours.FindAsync("device-1", CancellationToken.None)).Should().BeNull("the statement is prepared and its pages are cached before the other write");

            await theirs.RegisterAsync("device-1", "code-1", "CN=device-1", null, CancellationToken.None);
            var seen = await ours.FindAsync("device-1", CancellationToken.None);
            seen.Should().NotBeNull();

            (await ours.TryUpdateAsync(seen! with { SubjectDn = "CN=device-1,O=ours" }, seen!.Version, CancellationToken.None)).Should().BeTrue();
            (await theirs.FindAsync("device-1", CancellationToken.None))!.SubjectDn.Should().Be("CN=device-1,O=ours");
        }
    }

    [Test]
    public async Task AfterDispose_NoSessionOpens()
    {
        await _database.DisposeAsync();

        await FluentActions.Awaiting(async () => await _database.OpenSessionAsync(CancellationToken.None)).Should().ThrowAsync<ObjectDisposedException>();
    }
}
