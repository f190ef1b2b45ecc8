using System;
using System.Collections.Generic;
using System.Linq;
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

namespace Scep.SampleHost.Tests.Storage;

/// <summary>
/// What every storage provider of the sample host must do: the pipeline's stores with compare-and-swap, issued
/// certificates, revocations, CRL numbers and pending requests, also under concurrency and across two host
/// instances on one database. Run against SQLite and PostgreSQL.
/// </summary>
public abstract class StoreContractTests
{
    private TempDirectory _directory = null!;
    private ServiceProvider _services = null!;

    protected abstract Task<string?> CreateConnectionStringAsync();

    protected abstract Task DropDatabaseAsync();

    protected string? ConnectionString { get; private set; }

    protected ScepDatabase Database => _services.GetRequiredService<ScepDatabase>();

    private DatabaseEndEntityStore Entities => _services.GetRequiredService<DatabaseEndEntityStore>();

    private DatabaseTransactionStore Transactions => _services.GetRequiredService<DatabaseTransactionStore>();

    private ICertificateStore Certificates => _services.GetRequiredService<ICertificateStore>();

    private IssuingAuthority Authority => _services.GetRequiredService<IssuingAuthority>();

    private Administration Admin => _services.GetRequiredService<Administration>();

    private CaKeyRing Cas => _services.GetRequiredService<CaKeyRing>();

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _directory = new TempDirectory("scep-store-");
        ConnectionString = await CreateConnectionStringAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(_directory.Path, ConnectionString)).Build();
        _services = new ServiceCollection().AddSampleHostCore(configuration).BuildServiceProvider();
        await _services.InitializeSampleHostAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task DropDatabase()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await DropDatabaseAsync();
        _directory?.Dispose();
    }

    [Test]
    public async Task Schema_InitializedTwice_KeepsTheData()
    {
        await Entities.TryAddAsync(Entity("schema-twice"), CancellationToken.None);

        await _services.GetRequiredService<ScepDatabase>().InitializeAsync(CancellationToken.None);

        (await Entities.FindAsync("schema-twice", CancellationToken.None)).Should().NotBeNull();
    }

    [Test]
    public async Task EndEntity_Added_IsFoundWithEveryFieldAndVersionZero()
    {
        var entity = Entity("entity-fields") with
        {
            SubjectDn = "CN=entity-fields,O=Example",
            Alias = "scep",
            Status = EndEntityStatus.New,
            ProfileData = new Dictionary<string, string> { ["profile"] = "router", ["validity"] = "30" },
            Version = 7,
        };

        (await Entities.TryAddAsync(entity, CancellationToken.None)).Should().BeTrue();

        var found = await Entities.FindAsync("entity-fields", CancellationToken.None);
        found.Should().BeEquivalentTo(entity with { Version = 0 });
    }

    [Test]
    public async Task EndEntity_AddedTwice_SecondAddFailsAndTheFirstStays()
    {
        await Entities.TryAddAsync(Entity("entity-twice") with { SubjectDn = "CN=first" }, CancellationToken.None);

        var second = await Entities.TryAddAsync(Entity("entity-twice") with { SubjectDn = "CN=second" }, CancellationToken.None);

        second.Should().BeFalse();
        (await Entities.FindAsync("entity-twice", CancellationToken.None))!.SubjectDn.Should().Be("CN=first");
    }

    [Test]
    public async Task EndEntity_Find_IsCaseSensitive()
    {
        await Entities.TryAddAsync(Entity("CaseUser"), CancellationToken.None);

        (await Entities.FindAsync("caseuser", CancellationToken.None)).Should().BeNull();
        (await Entities.FindAsync("CaseUser", CancellationToken.None)).Should().NotBeNull();
    }

    [Test]
    public async Task EndEntity_UpdateWithCurrentVersion_IsStoredWithTheNextVersion()
    {
        await Entities.TryAddAsync(Entity("entity-update"), CancellationToken.None);
        var read = (await Entities.FindAsync("entity-update", CancellationToken.None))!;

        var updated = await Entities.TryUpdateAsync(read with { Status = EndEntityStatus.InProcess }, read.Version, CancellationToken.None);

        updated.Should().BeTrue();
        var after = (await Entities.FindAsync("entity-update", CancellationToken.None))!;
        after.Status.Should().Be(EndEntityStatus.InProcess);
        after.Version.Should().Be(read.Version + 1);
    }

    [Test]
    public async Task EndEntity_UpdateWithStaleVersion_FailsAndChangesNothing()
    {
        await Entities.TryAddAsync(Entity("entity-stale"), CancellationToken.None);
        var read = (await Entities.FindAsync("entity-stale", CancellationToken.None))!;
        await Entities.TryUpdateAsync(read with { Status = EndEntityStatus.InProcess }, read.Version, CancellationToken.None);

        var stale = await Entities.TryUpdateAsync(read with { Status = EndEntityStatus.Generated }, read.Version, CancellationToken.None);

        stale.Should().BeFalse();
        (await Entities.FindAsync("entity-stale", CancellationToken.None))!.Status.Should().Be(EndEntityStatus.InProcess);
    }

    [Test]
    public async Task EndEntity_UpdateOfUnknownUser_Fails()
    {
        (await Entities.TryUpdateAsync(Entity("nobody-here"), 0, CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task EndEntity_ManyConcurrentUpdatesOfOneVersion_ExactlyOneWins()
    {
        await Entities.TryAddAsync(Entity("entity-race"), CancellationToken.None);
        var read = (await Entities.FindAsync("entity-race", CancellationToken.None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
            await Entities.TryUpdateAsync(read with { SubjectDn = $"CN=winner-{i}" }, read.Version, CancellationToken.None))));

        results.Count(r => r).Should().Be(1);
        var stored = (await Entities.FindAsync("entity-race", CancellationToken.None))!;
        stored.Version.Should().Be(read.Version + 1);
        stored.SubjectDn.Should().Be($"CN=winner-{Array.IndexOf(results, true)}");
    }

    [Test]
    public async Task EndEntity_Register_AddsNewThenResetsToNewWithANewCode()
    {
        (await Entities.RegisterAsync("registered", "code-1", "CN=registered", "scep", CancellationToken.None)).Should().BeTrue();
        var first = (await Entities.FindAsync("registered", CancellationToken.None))!;
        await Entities.TryUpdateAsync(first with { Status = EndEntityStatus.Generated }, first.Version, CancellationToken.None);

        (await Entities.RegisterAsync("registered", "code-2", null, null, CancellationToken.None)).Should().BeFalse();

        var reset = (await Entities.FindAsync("registered", CancellationToken.None))!;
        reset.Status.Should().Be(EndEntityStatus.New);
        reset.Version.Should().BeGreaterThan(first.Version + 1, "a request holding an older version must lose its compare-and-swap");
        EnrollmentCode.Verify(reset.EnrollmentCodeHash, "code-2").Should().BeTrue();
        EnrollmentCode.Verify(reset.EnrollmentCodeHash, "code-1").Should().BeFalse();
        reset.SubjectDn.Should().BeNull();
    }

    [Test]
    public async Task Transaction_Added_IsFoundWithEveryField()
    {
        var transaction = Transaction("tx-fields") with
        {
            State = ScepTransactionState.Rejected,
            MessageType = MessageType.RenewalReq,
            Username = "device-9",
            IssuedCertificate = [1, 2, 3, 0, 255],
            PendingReference = "ref-1",
            FailInfo = FailInfo.BadCertId,
            FailInfoText = "no such certificate",
        };

        (await Transactions.TryAddAsync(transaction, CancellationToken.None)).Should().BeTrue();

        (await Transactions.FindAsync("scep", "tx-fields", CancellationToken.None)).Should().BeEquivalentTo(transaction with { Version = 0 });
    }

    [Test]
    public async Task Transaction_EveryPropertyOfTheRecord_RoundTrips()
    {
        // Filled by reflection, so a property the pipeline adds later is covered too.
        var transaction = Transaction("tx-every-property");
        foreach (var property in typeof(ScepTransaction).GetProperties().Where(p => p.CanWrite && p.Name is not (nameof(ScepTransaction.Alias) or nameof(ScepTransaction.TransactionId) or nameof(ScepTransaction.Version))))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object value = type == typeof(string) ? "value-of-" + property.Name
                : type == typeof(byte[]) ? new byte[] { 0, 1, 254, 255 }
                : type == typeof(DateTimeOffset) ? new DateTimeOffset(2026, 7, 8, 9, 10, 11, 123, TimeSpan.Zero).AddTicks(4567)
                : type == typeof(long) ? 42L
                : type.IsEnum ? Enum.GetValues(type).Cast<object>().Last()
                : throw new AssertionException($"Give ScepTransaction.{property.Name} ({type.Name}) a test value here.");
            var copy = transaction with { };
            property.SetValue(copy, value);
            transaction = copy;
        }

        (await Transactions.TryAddAsync(transaction, CancellationToken.None)).Should().BeTrue();

        (await Transactions.FindAsync("scep", "tx-every-property", CancellationToken.None)).Should().BeEquivalentTo(transaction with { Version = 0 });
    }

    [Test]
    public async Task Transaction_AliasIsCaseInsensitiveAndTransactionIdExact()
    {
        await Transactions.TryAddAsync(Transaction("tx-Case"), CancellationToken.None);

        (await Transactions.FindAsync("SCEP", "tx-Case", CancellationToken.None)).Should().NotBeNull();
        (await Transactions.FindAsync("scep", "tx-case", CancellationToken.None)).Should().BeNull();
        (await Transactions.TryAddAsync(Transaction("tx-Case") with { Alias = "Scep" }, CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task Transaction_SameIdOnAnotherAlias_IsAnotherTransaction()
    {
        await Transactions.TryAddAsync(Transaction("tx-two-aliases"), CancellationToken.None);

        (await Transactions.TryAddAsync(Transaction("tx-two-aliases") with { Alias = "ra" }, CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task Transaction_UpdateWithStaleVersion_Fails()
    {
        await Transactions.TryAddAsync(Transaction("tx-stale"), CancellationToken.None);
        var read = (await Transactions.FindAsync("scep", "tx-stale", CancellationToken.None))!;
        (await Transactions.TryUpdateAsync(read with { State = ScepTransactionState.Pending }, read.Version, CancellationToken.None)).Should().BeTrue();

        (await Transactions.TryUpdateAsync(read with { State = ScepTransactionState.Issued }, read.Version, CancellationToken.None)).Should().BeFalse();

        var stored = (await Transactions.FindAsync("scep", "tx-stale", CancellationToken.None))!;
        stored.State.Should().Be(ScepTransactionState.Pending);
        stored.Version.Should().Be(1);
    }

    [Test]
    public async Task Transaction_ManyConcurrentUpdatesOfOneVersion_ExactlyOneWins()
    {
        await Transactions.TryAddAsync(Transaction("tx-race"), CancellationToken.None);
        var read = (await Transactions.FindAsync("scep", "tx-race", CancellationToken.None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
            await Transactions.TryUpdateAsync(read with { State = ScepTransactionState.Issued, IssuedCertificate = [(byte)i] }, read.Version, CancellationToken.None))));

        results.Count(r => r).Should().Be(1);
        var stored = (await Transactions.FindAsync("scep", "tx-race", CancellationToken.None))!;
        stored.IssuedCertificate.Should().Equal((byte)Array.IndexOf(results, true));
    }

    [Test]
    public async Task Transaction_ManyConcurrentAddsOfOneId_ExactlyOneWins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
            await Transactions.TryAddAsync(Transaction("tx-add-race") with { RequesterKeyId = $"key-{i}" }, CancellationToken.None))));

        results.Count(r => r).Should().Be(1);
        (await Transactions.FindAsync("scep", "tx-add-race", CancellationToken.None))!.RequesterKeyId.Should().Be($"key-{Array.IndexOf(results, true)}");
    }

    [Test]
    public async Task Certificate_Issued_IsRecordedAndFoundByIssuerAndSerial()
    {
        var certificate = await IssueAsync("CN=recorded-1");

        var record = await Certificates.FindAsync(certificate.SerialNumber, CancellationToken.None);
        record.Should().NotBeNull();
        record!.RawData.Should().Equal(certificate.RawData);
        record.IssuerId.Should().Be(Cas.Current.Id);
        var found = await Authority.FindCertificateAsync(CaKeyRing.CaName, IssuerAndSerialNumber.FromCertificate(certificate), CancellationToken.None);
        found!.RawData.Should().Equal(certificate.RawData);
        (await Authority.GetCertificateStatusAsync(CaKeyRing.CaName, certificate, CancellationToken.None)).Should().Be(CertificateStatus.Good);
    }

    [Test]
    public async Task Certificate_UnknownOrForeign_IsNotFound()
    {
        var foreign = TestPki.Issue(TestPki.Ca, "CN=foreign");

        (await Authority.FindCertificateAsync(CaKeyRing.CaName, IssuerAndSerialNumber.FromCertificate(foreign.Certificate), CancellationToken.None)).Should().BeNull();
        (await Authority.GetCertificateStatusAsync(CaKeyRing.CaName, foreign.Certificate, CancellationToken.None)).Should().Be(CertificateStatus.Unknown);
    }

    [Test]
    public async Task FindIssued_ByTransactionOrByUserSinceAReservation_FindsTheCertificateACrashLeftUnrecorded()
    {
        var csr = Scenario.Csr("CN=crashed-user", TestPki.CachedRsa(61), null);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var certificate = await IssueAndRecordAsync(csr, "crashed-user", "scep", "crashed-tid");
        IssuedEnrollmentQuery Query(string alias, string? transactionId, string? username, DateTimeOffset since) =>
            new() { CaName = CaKeyRing.CaName, Alias = alias, TransactionId = transactionId, Username = username, Since = since };

        (await Authority.FindIssuedAsync(Query("SCEP", "crashed-tid", null, before), CancellationToken.None))!.RawData.Should().Equal(certificate.RawData, "aliases compare without case");
        (await Authority.FindIssuedAsync(Query("scep", null, "crashed-user", before), CancellationToken.None))!.RawData.Should().Equal(certificate.RawData);
        (await Authority.FindIssuedAsync(Query("ra", "crashed-tid", null, before), CancellationToken.None)).Should().BeNull("a transactionID belongs to its alias");
        (await Authority.FindIssuedAsync(Query("scep", "other-tid", null, before), CancellationToken.None)).Should().BeNull();
        (await Authority.FindIssuedAsync(Query("scep", null, "crashed-user", DateTimeOffset.UtcNow.AddMinutes(1)), CancellationToken.None)).Should().BeNull("issued before the reservation");
    }

    [Test]
    public async Task Certificate_SerialTaken_IsNotRecordedTwice()
    {
        var certificate = await IssueAsync("CN=serial-taken");
        var record = (await Certificates.FindAsync(certificate.SerialNumber, CancellationToken.None))!;

        (await Certificates.TryAddAsync(record with { Subject = "CN=impostor" }, CancellationToken.None)).Should().BeFalse();
        (await Certificates.FindAsync(certificate.SerialNumber, CancellationToken.None))!.Subject.Should().Be(record.Subject);
    }

    [Test]
    public async Task Revoke_ListsTheSerialOnTheNextCrlWithAHigherNumber()
    {
        var certificate = await IssueAsync("CN=to-revoke");
        var before = await Admin.IssueCrlAsync(CancellationToken.None);

        var revoked = await Admin.RevokeAsync(certificate.SerialNumber.ToLowerInvariant(), X509RevocationReason.KeyCompromise, CancellationToken.None);

        revoked.SerialNumber.Should().Be(certificate.SerialNumber);
        (await Authority.GetCertificateStatusAsync(CaKeyRing.CaName, certificate, CancellationToken.None)).Should().Be(CertificateStatus.Revoked);
        var crlBytes = await Authority.GetCrlAsync(CaKeyRing.CaName, Cas.Current.Certificate, CancellationToken.None);
        var crl = CertificateRevocationListBuilder.Load(crlBytes!, out var number);
        ((long)number).Should().BeGreaterThan(before[0].Crl.Number);
        crl.RemoveEntry(certificate.SerialNumberBytes.Span).Should().BeTrue("the CRL lists the revoked serial");
    }

    [Test]
    public async Task Revoke_Twice_IsRefusedTheSecondTime()
    {
        var certificate = await IssueAsync("CN=revoke-twice");
        await Admin.RevokeAsync(certificate.SerialNumber, null, CancellationToken.None);

        var again = async () => await Admin.RevokeAsync(certificate.SerialNumber, null, CancellationToken.None);

        await again.Should().ThrowAsync<AdministrationException>().WithMessage("*already revoked*");
    }

    [Test]
    public async Task Revoke_UnknownSerial_IsRefused()
    {
        var unknown = async () => await Admin.RevokeAsync("0102030405", null, CancellationToken.None);

        await unknown.Should().ThrowAsync<AdministrationException>().WithMessage("*No certificate*");
    }

    [Test]
    public async Task Crl_WithoutChanges_IsServedFromTheStoreWithTheSameNumber()
    {
        var first = await Authority.GetCrlAsync(CaKeyRing.CaName, Cas.Current.Certificate, CancellationToken.None);

        var second = await Authority.GetCrlAsync(CaKeyRing.CaName, Cas.Current.Certificate, CancellationToken.None);

        second.Should().Equal(first);
    }

    [Test]
    public async Task Crl_IssuedConcurrently_GetsDistinctIncreasingNumbers()
    {
        var crls = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () => (await Admin.IssueCrlAsync(CancellationToken.None))[0].Crl.Number)));

        crls.Should().OnlyHaveUniqueItems();
        var stored = await Certificates.GetCrlAsync(Cas.Current.Id, CancellationToken.None);
        stored!.Number.Should().Be(crls.Max(), "the stored CRL is never replaced by one with a lower number");
    }

    [Test]
    public async Task Pending_Approved_IsIssuedOnceAndAnsweredAsIssued()
    {
        var pending = await AddPendingAsync("CN=pending-approve", keySlot: 61);

        var certificate = await Admin.ApproveAsync(pending.Id.ToLowerInvariant(), CancellationToken.None);

        certificate.SubjectName.RawData.Should().Equal(pending.SubjectDer);
        var decision = await Authority.GetPendingDecisionAsync(Reference(pending), CancellationToken.None);
        decision.Outcome.Should().Be(EnrollmentOutcome.Issued);
        decision.Certificate!.RawData.Should().Equal(certificate.RawData);
        (await Admin.ListPendingAsync(CancellationToken.None)).Should().NotContain(p => p.Id == pending.Id);
        var again = async () => await Admin.ApproveAsync(pending.Id, CancellationToken.None);
        await again.Should().ThrowAsync<AdministrationException>().WithMessage("*already approved*");
    }

    [Test]
    public async Task Pending_Rejected_IsAnsweredAsRejectedWithTheReason()
    {
        var pending = await AddPendingAsync("CN=pending-reject", keySlot: 62);
        (await Authority.GetPendingDecisionAsync(Reference(pending), CancellationToken.None)).Outcome.Should().Be(EnrollmentOutcome.Pending);

        await Admin.RejectAsync(pending.Id, "not this one", CancellationToken.None);

        var decision = await Authority.GetPendingDecisionAsync(Reference(pending), CancellationToken.None);
        decision.Outcome.Should().Be(EnrollmentOutcome.Rejected);
        decision.Reason.Should().Be("not this one");
    }

    [Test]
    public async Task Pending_ApprovedConcurrently_IssuesExactlyOneCertificate()
    {
        var pending = await AddPendingAsync("CN=pending-race", keySlot: 63);
        var before = (await Certificates.ListAsync(new CertificateQuery { Take = int.MaxValue }, CancellationToken.None)).Count;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Admin.ApproveAsync(pending.Id, CancellationToken.None);
                return true;
            }
            catch (AdministrationException)
            {
                return false;
            }
        })));

        outcomes.Count(o => o).Should().Be(1);
        (await Certificates.ListAsync(new CertificateQuery { Take = int.MaxValue }, CancellationToken.None)).Count.Should().Be(before + 1);
    }

    [Test]
    public async Task TwoHostInstances_OneDatabase_OneTimeCodeIssuesExactlyOnce()
    {
        await using var hostDirectory = new HostPair(_directory.Sub("two-hosts-" + Guid.NewGuid().ToString("N")[..8]), ConnectionString);
        await hostDirectory.First.Admin.AddEntityAsync("shared-device", "one-time-code", null, null, CancellationToken.None);
        var ca = hostDirectory.First.Cas.Current.Certificate;
        hostDirectory.Second.Cas.Current.Certificate.RawData.Should().Equal(ca.RawData, "both instances use the data folder's CA");
        var clients = new[] { hostDirectory.First.Client(), hostDirectory.Second.Client() };

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var device = ScepTestClient.NewDevice("CN=shared-device", "one-time-code", 70 + i, ca);
            return await clients[i % 2].SendAsync(device.PkcsReq(), usePost: i % 4 < 2);
        })));

        replies.Count(r => r.Status == PkiStatus.Success).Should().Be(1, string.Join("; ", replies.Select(r => $"{r.Status} {r.FailInfoText}")));
        replies.Where(r => r.Status != PkiStatus.Success).Should().OnlyContain(r => r.Status == PkiStatus.Failure);
        var issued = (await hostDirectory.First.Admin.ListCertificatesAsync(CancellationToken.None)).Where(c => c.Username == "shared-device");
        issued.Should().ContainSingle();
    }

    internal static Dictionary<string, string?> Settings(string dataDirectory, string? connectionString) => new()
    {
        ["SampleHost:DataDirectory"] = dataDirectory,
        ["SampleHost:CaKeySize"] = "2048",
        ["SampleHost:CaPassphrase"] = "test-passphrase",
        ["ConnectionStrings:Scep"] = connectionString ?? string.Empty,
    };

    private static EndEntity Entity(string username) => new()
    {
        Username = username,
        EnrollmentCodeHash = EnrollmentCode.Hash("code"),
        StatusChangedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero),
    };

    private static ScepTransaction Transaction(string transactionId) => new()
    {
        Alias = "scep",
        TransactionId = transactionId,
        RequesterKeyId = "AB01",
        State = ScepTransactionState.InProcess,
        MessageType = MessageType.PKCSReq,
        CreatedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 1, TimeSpan.Zero),
    };

    private async Task<X509Certificate2> IssueAsync(string subject)
    {
        var csr = Scenario.Csr(subject, TestPki.CachedRsa(60), null);
        var issued = await IssueAndRecordAsync(csr, null, "scep", null);
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    /// <summary>Issues with the data folder's CA and records it, as the issuing authority does (a crash test writes records itself).</summary>
    private async Task<IssuedCertificateRecord> IssueAndRecordAsync(Pkcs10Request csr, string? username, string alias, string? transactionId)
    {
        var issuer = new CertificateIssuer(Cas.Current.Certificate, Cas.Current.Key, new CertificateProfile());
        var now = DateTimeOffset.UtcNow;
        var issued = issuer.Issue(csr, csr.Subject, now);
        var record = new IssuedCertificateRecord(issued.SerialNumber, Cas.Current.Id, issued.Subject, username, alias, transactionId, issued.NotBefore, issued.NotAfter, now, issued.RawData.ToArray());
        (await Certificates.TryAddAsync(record, CancellationToken.None)).Should().BeTrue();
        return record;
    }

    private async Task<PendingApproval> AddPendingAsync(string subject, int keySlot)
    {
        var csr = Scenario.Csr(subject, TestPki.CachedRsa(keySlot), null);
        var pending = new PendingApproval(
            Convert.ToHexString(RandomNumberGenerator.GetBytes(6)), "approve", Cas.Current.Id, ScepTransactionId.CreateRandom(), null,
            csr.Subject.Name, csr.Subject.RawData, csr.Encode(), DateTimeOffset.UtcNow, ApprovalState.Pending);
        await Certificates.AddPendingAsync(pending, CancellationToken.None);
        return pending;
    }

    private static PendingEnrollment Reference(PendingApproval pending) =>
        new() { Alias = pending.Alias, CaName = CaKeyRing.CaName, TransactionId = pending.TransactionId, Reference = pending.Id };

    /// <summary>Two in-process host instances on one data folder and database, as behind a load balancer.</summary>
    private sealed class HostPair : IAsyncDisposable
    {
        public HostPair(string dataDirectory, string? connectionString)
        {
            First = new SampleHostFactory(dataDirectory, connectionString);
            _ = First.Server; // the first creates the CA; the second loads it
            Second = new SampleHostFactory(dataDirectory, connectionString);
            _ = Second.Server;
        }

        public SampleHostFactory First { get; }

        public SampleHostFactory Second { get; }

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
        }
    }
}

[TestFixture]
public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override Task<string?> CreateConnectionStringAsync() => Task.FromResult<string?>(null);

    protected override Task DropDatabaseAsync() => Task.CompletedTask;

    [TestCase("SELECT serial FROM certificates WHERE transaction_id = 'T' AND LOWER(alias) = LOWER('scep') ORDER BY issued_at DESC", "certificates_transaction")]
    [TestCase("SELECT serial FROM certificates WHERE username = 'u' AND issued_at >= 0 ORDER BY issued_at DESC", "certificates_username")]
    public async Task FindIssuedQueries_SearchAnIndex_NotEveryCertificate(string query, string index)
    {
        var plan = await Database.QueryAsync("EXPLAIN QUERY PLAN " + query, [], r => r.GetString(3), CancellationToken.None);

        plan.Should().Contain(step => step.Contains("USING INDEX " + index, StringComparison.Ordinal) || step.Contains("USING COVERING INDEX " + index, StringComparison.Ordinal));
    }
}

[TestFixture]
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private PostgresTestDatabase? _database;

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
        }
    }
}
