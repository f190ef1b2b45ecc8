using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Npgsql;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.Protocol.Server.Storage.Tests;

/// <summary>
/// A database made by the sample host of 0.1.0 (commit 938c5db: tables created without a schema version) is upgraded at
/// start-up to the versioned schema, and every row it held is still found through the stores; the approval marker the
/// pipeline used to keep in an entity's profile data is gone, the transaction record says it instead.
/// </summary>
public abstract class SchemaMigrationTests
{
    /// <summary>The tables of 0.1.0, as its ScepDatabase.Schema created them ({int} and {blob} are the provider's types).</summary>
    private static readonly string[] UnversionedSchema =
    [
        "CREATE TABLE end_entities (username TEXT NOT NULL PRIMARY KEY, code_hash TEXT NULL, status {int} NOT NULL, subject_dn TEXT NULL, alias TEXT NULL, profile_data TEXT NOT NULL, status_changed_at {int} NOT NULL, created_at {int} NOT NULL, version {int} NOT NULL)",
        "CREATE TABLE scep_transactions (alias_key TEXT NOT NULL, transaction_id TEXT NOT NULL, state {int} NOT NULL, username TEXT NULL, created_at {int} NOT NULL, updated_at {int} NOT NULL, record TEXT NOT NULL, version {int} NOT NULL, PRIMARY KEY (alias_key, transaction_id))",
        "CREATE TABLE certificates (serial TEXT NOT NULL PRIMARY KEY, issuer_id TEXT NOT NULL, subject TEXT NOT NULL, username TEXT NULL, alias TEXT NULL, transaction_id TEXT NULL, not_before {int} NOT NULL, not_after {int} NOT NULL, issued_at {int} NOT NULL, der {blob} NOT NULL, revoked_at {int} NULL, revocation_reason {int} NULL)",
        "CREATE INDEX certificates_revoked ON certificates (issuer_id, revoked_at)",
        "CREATE INDEX certificates_transaction ON certificates (transaction_id)",
        "CREATE INDEX certificates_username ON certificates (username, issued_at)",
        "CREATE TABLE pending_requests (id TEXT NOT NULL PRIMARY KEY, alias TEXT NOT NULL, issuer_id TEXT NOT NULL, transaction_id TEXT NOT NULL, username TEXT NULL, subject TEXT NOT NULL, subject_der {blob} NOT NULL, csr {blob} NOT NULL, requested_at {int} NOT NULL, state {int} NOT NULL, reason TEXT NULL, certificate_serial TEXT NULL, decided_at {int} NULL)",
        "CREATE TABLE crl_state (issuer_id TEXT NOT NULL PRIMARY KEY, crl_number {int} NOT NULL, revision {int} NOT NULL)",
        "CREATE TABLE crls (issuer_id TEXT NOT NULL PRIMARY KEY, crl_number {int} NOT NULL, revision {int} NOT NULL, this_update {int} NOT NULL, next_update {int} NOT NULL, der {blob} NOT NULL)",
    ];

    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Der = [0x30, 0x03, 0x02, 0x01, 0x05];

    /// <summary>A pending transaction as 0.1.0 serialized it: no PendingKind, no RefusalCategory, no PendingRequest.</summary>
    private static readonly string PendingRecord =
        """{"Alias":"scep","TransactionId":"tid-pending","RequesterKeyId":"AB12","State":2,"MessageType":19,"Username":"router-pending","PreviousEntityStatus":10,"IssuedCertificate":null,"PendingReference":"P1","FailInfo":null,"FailInfoText":null,"CreatedAt":"2026-06-01T12:00:00+00:00","UpdatedAt":"2026-06-01T12:00:01+00:00","Version":0}""";

    private static readonly string IssuedRecord =
        """{"Alias":"ra","TransactionId":"tid-issued","RequesterKeyId":"CD34","State":3,"MessageType":19,"Username":"device-1","PreviousEntityStatus":null,"IssuedCertificate":"MAMCAQU=","PendingReference":null,"FailInfo":null,"FailInfoText":null,"CreatedAt":"2026-06-01T12:00:00+00:00","UpdatedAt":"2026-06-01T12:00:02+00:00","Version":1}""";

    protected abstract string IntegerType { get; }

    protected abstract string BlobType { get; }

    protected abstract Task<DbConnection> OpenRawAsync();

    protected abstract ScepDatabase OpenDatabase();

    protected abstract Task DropAsync();

    [TearDown]
    public Task Drop() => DropAsync();

    [Test]
    public async Task UnversionedDatabase_IsUpgradedAtStart_AndEveryRowIsFound()
    {
        await CreateUnversionedDatabaseAsync();
        await using var database = OpenDatabase();
        var time = TimeProvider.System;
        var entities = new DatabaseEndEntityStore(database, time);
        var transactions = new DatabaseTransactionStore(database);
        var certificates = new DatabaseCertificateStore(database);

        await database.InitializeAsync(CancellationToken.None);

        var pendingEntity = (await entities.FindAsync("router-pending", default))!;
        pendingEntity.Status.Should().Be(EndEntityStatus.InProcess);
        pendingEntity.ProfileData.Should().BeEquivalentTo(new Dictionary<string, string> { ["profile"] = "routers" }, "the approval marker left the profile data");
        pendingEntity.FailedCodeAttempts.Should().Be(0);
        pendingEntity.EnrollmentCodeExpiresAt.Should().BeNull();
        pendingEntity.Version.Should().Be(3);
        (await entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
        (await entities.ListAsync(default)).Should().HaveCount(2);

        var pending = (await transactions.FindAsync("SCEP", "tid-pending", default))!;
        pending.State.Should().Be(ScepTransactionState.Pending);
        pending.PendingKind.Should().BeNull();
        pending.AwaitsApproval.Should().BeTrue("a pending transaction of 0.1.0 awaited approval");
        (await transactions.FindAwaitingApprovalAsync("router-pending", default))!.TransactionId.Should().Be("tid-pending");
        var issued = (await transactions.FindAsync("ra", "tid-issued", default))!;
        issued.IssuedCertificate.Should().Equal(Der);
        issued.Version.Should().Be(1);

        var certificate = (await certificates.FindAsync("0A0B", default))!;
        (certificate.IssuerId, certificate.Username, certificate.TransactionId, certificate.RevocationReason).Should().Be(("CA1", "device-1", "tid-issued", System.Security.Cryptography.X509Certificates.X509RevocationReason.Superseded));
        certificate.RawData.Should().Equal(Der);
        (await certificates.ListRevokedAsync("CA1", default)).Should().ContainSingle().Which.SerialNumber.Should().Be("0A0B");
        (await certificates.GetRevisionAsync("CA1", default)).Should().Be(4);
        (await certificates.GetCrlAsync("CA1", default))!.Number.Should().Be(7);
        (await certificates.NextCrlNumberAsync("CA1", default)).Number.Should().Be(8, "the CRL numbering goes on");
        var approval = (await certificates.FindPendingAsync("P1", default))!;
        (approval.State, approval.Username, approval.Csr.Length, approval.CaName).Should().Be((ApprovalState.Pending, "router-pending", Der.Length, "default"));
        (await certificates.ListPendingAsync(default)).Should().ContainSingle();
    }

    [Test]
    public async Task Upgrade_RecordsEachVersion_AndASecondStartChangesNothing()
    {
        await CreateUnversionedDatabaseAsync();
        await using (var first = OpenDatabase())
        {
            await first.InitializeAsync(CancellationToken.None);
        }

        await using (var second = OpenDatabase())
        {
            await second.InitializeAsync(CancellationToken.None);
            (await new DatabaseEndEntityStore(second, TimeProvider.System).ListAsync(default)).Should().HaveCount(2);
        }

        var versions = await QueryAsync("SELECT version FROM schema_migrations ORDER BY version");
        versions.Should().Equal(Enumerable.Range(1, ScepDatabase.SchemaVersion).Select(v => (long)v));
    }

    [Test]
    public async Task DatabaseNewerThanTheCode_IsRefused()
    {
        await using (var database = OpenDatabase())
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        await ExecuteAsync($"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({ScepDatabase.SchemaVersion + 1}, 'from the future', 0)");
        await using var newer = OpenDatabase();

        var start = () => newer.InitializeAsync(CancellationToken.None).AsTask();

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage($"*schema is version {ScepDatabase.SchemaVersion + 1}*newer*");
    }

    [Test]
    public async Task FirstStatement_BeforeAnExplicitInitialize_MigratesFirst()
    {
        await using var database = OpenDatabase();
        var entities = new DatabaseEndEntityStore(database, TimeProvider.System);

        (await entities.TryAddAsync(new EndEntity { Username = "early", FailedCodeAttempts = 2 }, default)).Should().BeTrue();

        (await entities.FindAsync("early", default))!.FailedCodeAttempts.Should().Be(2);
    }

    private async Task CreateUnversionedDatabaseAsync()
    {
        foreach (var statement in UnversionedSchema)
        {
            await ExecuteAsync(statement.Replace("{int}", IntegerType, StringComparison.Ordinal).Replace("{blob}", BlobType, StringComparison.Ordinal));
        }

        var t = At.UtcTicks;
        await ExecuteAsync($"INSERT INTO end_entities VALUES ('router-pending', 'sha256$x$y', 30, NULL, 'scep', '{{\"profile\":\"routers\",\"scep:awaiting-approval\":\"scep\\ntid-pending\"}}', {t}, {t}, 3)");
        await ExecuteAsync($"INSERT INTO end_entities VALUES ('device-1', NULL, 40, 'CN=device-1', 'ra', '{{}}', {t}, {t}, 1)");
        await ExecuteAsync($"INSERT INTO scep_transactions VALUES ('SCEP', 'tid-pending', 2, 'router-pending', {t}, {t + 1}, '{PendingRecord}', 0)");
        await ExecuteAsync($"INSERT INTO scep_transactions VALUES ('RA', 'tid-issued', 3, 'device-1', {t}, {t + 2}, '{IssuedRecord}', 1)");
        await ExecuteAsync($"INSERT INTO certificates VALUES ('0A0B', 'CA1', 'CN=device-1', 'device-1', 'ra', 'tid-issued', {t}, {t + 100}, {t}, {Blob(Der)}, {t + 5}, 4)");
        await ExecuteAsync($"INSERT INTO pending_requests VALUES ('P1', 'scep', 'CA1', 'tid-pending', 'router-pending', 'CN=router-pending', {Blob(Der)}, {Blob(Der)}, {t}, 0, NULL, NULL, NULL)");
        await ExecuteAsync("INSERT INTO crl_state VALUES ('CA1', 7, 4)");
        await ExecuteAsync($"INSERT INTO crls VALUES ('CA1', 7, 4, {t}, {t + 1000}, {Blob(Der)})");
    }

    protected abstract string Blob(byte[] bytes);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<long>> QueryAsync(string sql)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }
}

[TestFixture]
public sealed class SqliteSchemaMigrationTests : SchemaMigrationTests
{
    private TempDirectory _directory = null!;

    [SetUp]
    public void CreateFolder() => _directory = new TempDirectory("scep-migration-");

    protected override string IntegerType => "INTEGER";

    protected override string BlobType => "BLOB";

    protected override string Blob(byte[] bytes) => "X'" + Convert.ToHexString(bytes) + "'";

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _directory.File("scep.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    protected override ScepDatabase OpenDatabase() => new SqliteScepDatabase(_directory.File("scep.db"));

    protected override Task DropAsync() => Task.CompletedTask;

    [TearDown]
    public void DeleteFolder() => _directory.Dispose();
}

[TestFixture]
public sealed class PostgresSchemaMigrationTests : SchemaMigrationTests
{
    private PostgresTestDatabase? _database;

    [SetUp]
    public async Task CreateDatabase() => _database = await PostgresTestDatabase.CreateAsync();

    protected override string IntegerType => "BIGINT";

    protected override string BlobType => "BYTEA";

    protected override string Blob(byte[] bytes) => "'\\x" + Convert.ToHexString(bytes) + "'::bytea";

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    protected override ScepDatabase OpenDatabase() => new PostgresScepDatabase(_database!.ConnectionString);

    protected override async Task DropAsync()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _database.DisposeAsync();
        }
    }
}
