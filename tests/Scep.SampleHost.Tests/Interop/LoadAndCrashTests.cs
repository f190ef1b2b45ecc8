using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Server.Storage;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// Issue 7, load and crashes, on the sample host as a process (SQLite; PostgreSQL with SCEP_TEST_POSTGRES): 500 end
/// entities with distinct one-time codes enroll from 32 concurrent clients. Under load every enrollment succeeds, the
/// serial numbers are unique and every code is used exactly once. With SIGKILL in the middle of the load and a
/// restart, every certificate a client received is in the store, each entity still has exactly one certificate (a
/// certificate issued before the kill whose reply was lost is the one the re-sent request gets), nothing stays
/// InProcess once the stale timeout has passed, and the database passes its integrity check. The work is bounded by
/// counts; the figures are printed.
/// </summary>
[NonParallelizable]
public abstract class LoadAndCrashTests
{
    private const int EntityCount = 500;
    private const int ClientCount = 32;
    private const int KillAfterSuccesses = 150;
    private const int KeyCount = 64;
    private const string Path = "/scep/pkiclient.exe";
    private const string Passphrase = "load-CA-PASSPHRASE-7f3e91";

    /// <summary>How long the crashed host's reservations block a re-send; the retries poll until it has passed.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(2);

    /// <summary>Makes the codes distinct and unguessable per run: the tests check that none of them reaches the logs.</summary>
    private static readonly string RunSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));

    protected abstract Task<string?> CreateConnectionStringAsync();

    protected abstract Task DropDatabaseAsync();

    protected abstract string Store { get; }

    private sealed record Enrollment(int Index, string Username, string Code, Device Device, byte[] Request);

    private sealed class Outcomes
    {
        public readonly ConcurrentDictionary<string, X509Certificate2> Received = new(StringComparer.Ordinal);
        public readonly ConcurrentBag<string> Failures = [];
        public readonly ConcurrentBag<Enrollment> Unanswered = [];
        public int Pending;
        public int Successes;
    }

    [Test]
    public async Task Load_500EnrollmentsFrom32Clients_AllSucceedWithUniqueSerialsAndEachCodeUsedOnce()
    {
        using var directory = new TempDirectory("scep-load-");
        var connectionString = await CreateConnectionStringAsync();
        try
        {
            var settings = Settings(directory.Sub("data"), connectionString);
            var ca = await PrepareAsync(settings);
            var enrollments = Enrollments(ca);
            var outcomes = new Outcomes();
            var started = Stopwatch.GetTimestamp();
            string output;
            await using (var host = await HostProcess.StartAsync(settings["SampleHost__DataDirectory"], settings))
            {
                using var http = NewHttpClient(host.BaseUrl);
                await RunClientsAsync(http, new ConcurrentQueue<Enrollment>(enrollments), outcomes, onSuccess: null);
                output = host.Output;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var report = await InspectAsync(settings);
            TestContext.Out.WriteLine($"{Store} load: {EntityCount} enrollments from {ClientCount} clients in {elapsed.TotalSeconds:F1} s " +
                $"({EntityCount / elapsed.TotalSeconds:F0}/s); {report}");

            outcomes.Failures.Should().BeEmpty();
            outcomes.Unanswered.Should().BeEmpty();
            outcomes.Received.Should().HaveCount(EntityCount);
            AssertConsistent(report, outcomes, enrollments);
            AssertNoSecretIn(output);
        }
        finally
        {
            await DropDatabaseAsync();
        }
    }

    [Test]
    public async Task Crash_SigkillInTheMiddleOfTheLoadThenRestart_LosesNoCertificateAndIssuesNoSecond()
    {
        using var directory = new TempDirectory("scep-crash-");
        var connectionString = await CreateConnectionStringAsync();
        try
        {
            var settings = Settings(directory.Sub("data"), connectionString);
            var ca = await PrepareAsync(settings);
            var enrollments = Enrollments(ca);
            var outcomes = new Outcomes();
            var output = new List<string>();

            // Load until KillAfterSuccesses replies arrived, then SIGKILL with up to 32 requests in flight.
            StoreReport atKill;
            int receivedBeforeKill;
            await using (var host = await HostProcess.StartAsync(settings["SampleHost__DataDirectory"], settings))
            {
                using var http = NewHttpClient(host.BaseUrl);
                await RunClientsAsync(http, new ConcurrentQueue<Enrollment>(enrollments), outcomes, onSuccess: count =>
                {
                    if (count == KillAfterSuccesses)
                    {
                        host.Kill();
                    }
                });
                host.HasExited.Should().BeTrue("the host was killed in the middle of the load");
                output.Add(host.Output);
                receivedBeforeKill = outcomes.Received.Count;
            }

            atKill = await InspectAsync(settings);
            var issuedButNotReceived = atKill.Certificates.Count(c => !outcomes.Received.ContainsKey(c.Username!));

            // Restart on the same data; every client without an answer re-sends its very request (RFC 8894 §3.3.2).
            var retried = outcomes.Unanswered.Count;
            var retry = new ConcurrentQueue<Enrollment>(outcomes.Unanswered.OrderBy(e => e.Index));
            outcomes.Unanswered.Clear();
            await using (var host = await HostProcess.StartAsync(settings["SampleHost__DataDirectory"], settings))
            {
                using var http = NewHttpClient(host.BaseUrl);
                await RunClientsAsync(http, retry, outcomes, onSuccess: null);
                output.Add(host.Output);
            }

            var report = await InspectAsync(settings);
            TestContext.Out.WriteLine($"{Store} crash: SIGKILL after {receivedBeforeKill} certificates received; at the kill the store held {atKill.Certificates.Count} " +
                $"({issuedButNotReceived} issued whose reply was lost), {atKill.InProcessTransactions} transactions and {atKill.InProcessEntities} entities InProcess, " +
                $"integrity {atKill.Integrity}; after restart {retried} requests re-sent, {outcomes.Pending} PENDING answers while the crashed reservations were fresh; {report}");

            outcomes.Failures.Should().BeEmpty();
            outcomes.Unanswered.Should().BeEmpty();
            outcomes.Received.Should().HaveCount(EntityCount, "every enrollment completes after the restart");
            atKill.Integrity.Should().Be("ok");
            foreach (var certificate in atKill.Certificates)
            {
                outcomes.Received[certificate.Username!].SerialNumber.Should().Be(certificate.SerialNumber, "a certificate issued before the kill is the one its client gets");
            }

            AssertConsistent(report, outcomes, enrollments);
            AssertNoSecretIn(string.Join("\n", output));
        }
        finally
        {
            await DropDatabaseAsync();
        }
    }

    private static Dictionary<string, string> Settings(string dataDirectory, string? connectionString)
    {
        var settings = new Dictionary<string, string>
        {
            ["SampleHost__DataDirectory"] = dataDirectory,
            ["SampleHost__CaKeySize"] = "2048",
            ["SampleHost__CaPassphrase"] = Passphrase,
            ["Scep__StaleReservationTimeout"] = StaleAfter.ToString("c", CultureInfo.InvariantCulture),
        };
        if (connectionString is not null)
        {
            settings["ConnectionStrings__Scep"] = connectionString;
        }

        return settings;
    }

    /// <summary>The host's services in this process, on the same data folder and database (as the admin commands run).</summary>
    private static ServiceProvider Services(Dictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        return new ServiceCollection().AddSampleHostCore(configuration).BuildServiceProvider();
    }

    /// <summary>Creates the CA and registers the 500 entities, each with its own random code (what add-entity does, without 500 processes).</summary>
    private static async Task<X509Certificate2> PrepareAsync(Dictionary<string, string> settings)
    {
        await using var services = Services(settings);
        await services.InitializeSampleHostAsync(CancellationToken.None);
        var admin = services.GetRequiredService<Administration>();
        for (var i = 0; i < EntityCount; i++)
        {
            await admin.AddEntityAsync(Username(i), Code(i), null, null, CancellationToken.None);
        }

        return X509CertificateLoader.LoadCertificate(admin.Cas.Current.Certificate.RawData);
    }

    private static string Username(int i) => $"load-{i:D3}";

    private static string Code(int i) => $"code-{RunSecret}-{i:D3}-SECRET";

    private static List<Enrollment> Enrollments(X509Certificate2 ca) => Enumerable.Range(0, EntityCount).Select(i =>
    {
        // 64 keys shared round-robin (an MDM proxy enrolls many devices from one client): key generation is not what is measured.
        var key = TestPki.CachedRsa(400 + (i % KeyCount), 1024);
        var signer = TestPki.CreateSelfSigned("CN=" + Username(i), key);
        var csr = Scenario.Csr("CN=" + Username(i), key, Code(i));
        var device = new Device(signer, csr, ca, ContentEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, ScepTransactionId.CreateRandom());
        return new Enrollment(i, Username(i), Code(i), device, device.PkcsReq().Encode());
    }).ToList();

    private static HttpClient NewHttpClient(string baseUrl) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = ClientCount * 2 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>32 clients take enrollments from the queue; a request that gets no HTTP answer is kept for a re-send.</summary>
    private static async Task RunClientsAsync(HttpClient http, ConcurrentQueue<Enrollment> queue, Outcomes outcomes, Action<int>? onSuccess)
    {
        await Task.WhenAll(Enumerable.Range(0, ClientCount).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var enrollment))
            {
                await EnrollAsync(http, enrollment, outcomes, onSuccess);
            }
        })));
    }

    private static async Task EnrollAsync(HttpClient http, Enrollment enrollment, Outcomes outcomes, Action<int>? onSuccess)
    {
        // PENDING comes only from a reservation the killed host left; it ends when the reservation is stale. Bounded by count.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                using var content = new ByteArrayContent(enrollment.Request);
                content.Headers.ContentType = new MediaTypeHeaderValue(ScepContentTypes.PkiMessage);
                response = await http.PostAsync(Path + "?operation=PKIOperation", content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                outcomes.Unanswered.Add(enrollment);
                return;
            }

            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    outcomes.Failures.Add($"{enrollment.Username}: HTTP {(int)response.StatusCode}");
                    return;
                }

                var reply = PkiMessage.Decode(body);
                reply.VerifySignature(ScepAlgorithmPolicy.Default, [enrollment.Device.Recipient]);
                reply.EnsureIsReplyTo(PkiMessage.Decode(enrollment.Request));
                switch (reply.Status)
                {
                    case PkiStatus.Success:
                        outcomes.Received[enrollment.Username] = enrollment.Device.IssuedFrom(reply);
                        onSuccess?.Invoke(Interlocked.Increment(ref outcomes.Successes));
                        return;
                    case PkiStatus.Pending:
                        Interlocked.Increment(ref outcomes.Pending);
                        await Task.Delay(TimeSpan.FromMilliseconds(100));
                        continue;
                    default:
                        outcomes.Failures.Add($"{enrollment.Username}: FAILURE {reply.FailInfo} {reply.FailInfoText}");
                        return;
                }
            }
        }

        outcomes.Failures.Add($"{enrollment.Username}: still PENDING after 200 re-sends");
    }

    private sealed record StoreReport(
        IReadOnlyList<IssuedCertificateRecord> Certificates,
        IReadOnlyList<EndEntity> Entities,
        IReadOnlyDictionary<ScepTransactionState, long> Transactions,
        string Integrity,
        IReadOnlyList<string> Inconsistencies)
    {
        public long InProcessTransactions => Transactions.GetValueOrDefault(ScepTransactionState.InProcess);

        public int InProcessEntities => Entities.Count(e => e.Status == EndEntityStatus.InProcess);

        public override string ToString() =>
            $"store: {Certificates.Count} certificates ({Certificates.Select(c => c.SerialNumber).Distinct().Count()} distinct serials), " +
            $"entities {string.Join(", ", Entities.GroupBy(e => e.Status).Select(g => $"{g.Key} {g.Count()}"))}, " +
            $"transactions {string.Join(", ", Transactions.Select(t => $"{t.Key} {t.Value}"))}, integrity {Integrity}, {Inconsistencies.Count} inconsistencies";
    }

    /// <summary>Reads the store with the host stopped: certificates, entities, transactions, and the database's own checks.</summary>
    private static async Task<StoreReport> InspectAsync(Dictionary<string, string> settings)
    {
        await using var services = Services(settings);
        var database = services.GetRequiredService<ScepDatabase>();
        await database.InitializeAsync(CancellationToken.None);
        var admin = services.GetRequiredService<Administration>();
        var certificates = await admin.ListCertificatesAsync(CancellationToken.None);
        var entities = await admin.ListEntitiesAsync(CancellationToken.None);
        var transactions = (await database.QueryAsync("SELECT state, COUNT(*) FROM scep_transactions GROUP BY state", [], r => ((ScepTransactionState)r.GetInt64(0), r.GetInt64(1)), CancellationToken.None))
            .ToDictionary(t => t.Item1, t => t.Item2);
        string integrity;
        if (database.ProviderName.Contains("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            integrity = string.Join(" ", await database.QueryAsync("PRAGMA integrity_check", [], r => r.GetString(0), CancellationToken.None));
        }
        else
        {
            // PostgreSQL keeps its own pages consistent (WAL); what can break is the data: check the relations the host relies on.
            integrity = "ok";
        }

        string[] consistency =
        [
            "SELECT COUNT(*) FROM certificates c WHERE c.username IS NOT NULL AND NOT EXISTS (SELECT 1 FROM end_entities e WHERE e.username = c.username)",
            "SELECT COUNT(*) FROM (SELECT username FROM certificates WHERE username IS NOT NULL GROUP BY username HAVING COUNT(*) > 1) d",
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM certificates WHERE transaction_id IS NOT NULL GROUP BY alias, transaction_id HAVING COUNT(*) > 1) d",
        ];
        var inconsistencies = new List<string>();
        foreach (var query in consistency)
        {
            var count = (await database.QueryAsync(query, [], r => r.GetInt64(0), CancellationToken.None)).Single();
            if (count != 0)
            {
                inconsistencies.Add($"{count} rows: {query}");
            }
        }

        return new StoreReport(certificates, entities, transactions, integrity, inconsistencies);
    }

    private static void AssertConsistent(StoreReport report, Outcomes outcomes, IReadOnlyList<Enrollment> enrollments)
    {
        report.Integrity.Should().Be("ok");
        report.Inconsistencies.Should().BeEmpty();
        report.Certificates.Should().HaveCount(EntityCount, "one certificate per one-time code, no more");
        report.Certificates.Select(c => c.SerialNumber).Should().OnlyHaveUniqueItems();
        report.Certificates.Select(c => c.Username).Should().BeEquivalentTo(enrollments.Select(e => e.Username), "every code was used exactly once");
        var bySerial = report.Certificates.ToDictionary(c => c.SerialNumber, StringComparer.OrdinalIgnoreCase);
        foreach (var (username, certificate) in outcomes.Received)
        {
            bySerial.Should().ContainKey(certificate.SerialNumber, $"the certificate {username} received is in the store");
            bySerial[certificate.SerialNumber].RawData.Should().Equal(certificate.RawData);
        }

        report.Entities.Where(e => e.Username.StartsWith("load-", StringComparison.Ordinal)).Should().OnlyContain(e => e.Status == EndEntityStatus.Generated);
        report.Transactions.Keys.Should().OnlyContain(s => s == ScepTransactionState.Issued, "nothing is left InProcess, Pending or Rejected");
        report.Transactions[ScepTransactionState.Issued].Should().Be(EntityCount);
    }

    private static void AssertNoSecretIn(string output)
    {
        output.Should().Contain("PKIOperation", "the host logged the requests");
        output.Should().NotContain(Passphrase, "the CA's PKCS#12 passphrase is never logged");
        output.Should().NotContain(RunSecret, "no enrollment code is ever logged");
        output.Should().NotContain("SECRET");
    }
}

[TestFixture]
public sealed class SqliteLoadAndCrashTests : LoadAndCrashTests
{
    protected override string Store => "SQLite";

    protected override Task<string?> CreateConnectionStringAsync() => Task.FromResult<string?>(null);

    protected override Task DropDatabaseAsync() => Task.CompletedTask;
}

[TestFixture]
public sealed class PostgresLoadAndCrashTests : LoadAndCrashTests
{
    private PostgresTestDatabase? _database;

    protected override string Store => "PostgreSQL";

    protected override async Task<string?> CreateConnectionStringAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        return _database.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
            _database = null;
        }
    }
}
