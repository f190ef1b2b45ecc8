using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.SampleHost;

/// <summary>
/// Issue 5: <see cref="ScepClient"/> against samples/Scep.SampleHost run as a process on a
/// free 127.0.0.1 port (one per fixture), driven by its admin commands as an operator would: add-entity for CA
/// mode, revoke before GetCRL, approve/reject for an alias that waits for approval, rollover-ca before
/// GetNextCACert. ('scep check' against the host is in tests/Scep.Cli.Tests/SampleHost.)
/// </summary>
/// <remarks>
/// The host runs with appsettings.json's aliases (<c>scep</c> CA mode, <c>ra</c> RA mode with the challenge
/// <c>change-me</c>, both with renewal), an RSA-2048 CA for a quick start, and an alias <c>approve</c> listed in
/// SampleHost:ApprovalAliases.
/// </remarks>
[NonParallelizable]
public class SampleHostProcessTests
{
    private const string RaChallenge = "change-me";

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["SampleHost__CaKeySize"] = "2048",
        ["Scep__Aliases__approve__Mode"] = "Ca",
        ["SampleHost__ApprovalAliases__0"] = "approve",
    };

    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory();
        _host = await HostProcess.StartAsync(_directory.File("data"), Settings);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // An operator prepares the CA rollover while the host runs; the host picks next-ca.p12 up at the next request.
        var rollover = await _host.AdminAsync("rollover-ca");
        rollover.ExitCode.Should().Be(0, rollover.Output + rollover.Error);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        _http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    public async Task EnrollAsync_CaModeWithAnEntityFromAddEntity_IssuesOnceForTheOneTimeCode()
    {
        await AdminAsync("add-entity", "--username", "host-ca-device", "--password", "Code-1", "--dn", "CN=host-ca-device,O=Example");
        var client = Client("scep");
        var info = await client.GetServerInfoAsync();
        var firstKey = RSA.Create(2048);
        var secondKey = RSA.Create(2048);

        var first = await client.EnrollAsync(info, Csr(firstKey, "CN=host-ca-device", "Code-1"), firstKey);
        var second = await client.EnrollAsync(info, Csr(secondKey, "CN=host-ca-device", "Code-1"), secondKey);

        first.Status.Should().Be(EnrollmentStatus.Issued, first.ToString());
        first.Certificate!.Subject.Should().Be("CN=host-ca-device, O=Example", "CA mode issues with the DN of add-entity");
        CertificateSignature.IsIssuedBy(first.Certificate, info.CaCertificates.IssuerCertificate).Should().BeTrue();
        second.Status.Should().Be(EnrollmentStatus.Failed);
        second.FailInfo.Should().Be(FailInfo.BadRequest);
        (await AdminAsync("list-entities")).Should().MatchRegex("host-ca-device +GENERATED");
    }

    [TestCase(PkiOperationMethod.Post)]
    [TestCase(PkiOperationMethod.Get)]
    public async Task EnrollAsync_RaModeWithTheChallenge_IssuesWithTheRequestsSubject(PkiOperationMethod method)
    {
        var client = Client("ra", method);
        var info = await client.GetServerInfoAsync();
        var key = RSA.Create(2048);
        var name = $"host-ra-{method.ToString().ToLowerInvariant()}";

        var result = await client.EnrollAsync(info, Csr(key, $"CN={name},O=Example", RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.Subject.Should().Be($"CN={name}, O=Example");
        CertificateSignature.IsIssuedBy(result.Certificate, info.CaCertificates.IssuerCertificate).Should().BeTrue();
        (await AdminAsync("list-certificates")).Should().Contain(result.Certificate.SerialNumber, "the host recorded the certificate");
    }

    [Test]
    public async Task GetCrlAsync_AfterTheRevokeCommand_ListsTheSerial()
    {
        var client = Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = RSA.Create(2048);
        var issued = await client.EnrollAsync(info, Csr(key, "CN=host-revoked", RaChallenge), key);
        issued.Status.Should().Be(EnrollmentStatus.Issued, issued.ToString());

        await AdminAsync("revoke", issued.Certificate!.SerialNumber, "--reason", "keyCompromise");
        var result = await client.GetCrlAsync(info, IssuerAndSerialNumber.FromCertificate(issued.Certificate), ScepSigner.Create(issued.Certificate, key));

        result.Status.Should().Be(PkiStatus.Success, result.FailInfoText);
        result.CrlIssuer!.RawData.Should().Equal(info.CaCertificates.IssuerCertificate.RawData);
        var crl = CertificateRevocationListBuilder.Load(result.Crl.ToArray(), out var number);
        number.Should().BeGreaterThan(BigInteger.Zero);
        crl.RemoveEntry(issued.Certificate.SerialNumberBytes.Span).Should().BeTrue("the revoked serial is listed");
    }

    [Test]
    public async Task PollAsync_AfterTheApproveCommand_IssuesTheCertificate()
    {
        await AdminAsync("add-entity", "--username", "host-approved", "--password", "Code-2");
        var clock = new AutoAdvancingTimeProvider(DateTimeOffset.UtcNow);
        var client = Client("approve", clock: clock);
        var info = await client.GetServerInfoAsync();
        var key = RSA.Create(2048);
        var first = await client.EnrollAsync(info, Csr(key, "CN=host-approved", "Code-2"), key);
        var stillPending = await client.PollOnceAsync(info, first.Transaction);

        await AdminAsync("approve", await PendingIdAsync(first.TransactionId));
        var result = await client.PollAsync(info, first.Transaction, new PollingOptions { InitialInterval = TimeSpan.FromSeconds(5), MaxAttempts = 3 });

        first.Status.Should().Be(EnrollmentStatus.Pending);
        stillPending.Status.Should().Be(EnrollmentStatus.Pending, "nobody has decided yet");
        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        clock.Delays.Should().Equal(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task PollAsync_AfterTheRejectCommand_IsAFailedResultWithTheOperatorsReason()
    {
        await AdminAsync("add-entity", "--username", "host-rejected", "--password", "Code-3");
        var client = Client("approve", clock: new AutoAdvancingTimeProvider(DateTimeOffset.UtcNow));
        var info = await client.GetServerInfoAsync();
        var key = RSA.Create(2048);
        var first = await client.EnrollAsync(info, Csr(key, "CN=host-rejected", "Code-3"), key);

        await AdminAsync("reject", await PendingIdAsync(first.TransactionId), "--reason", "unknown device");
        var result = await client.PollAsync(info, first.Transaction, new PollingOptions { InitialInterval = TimeSpan.FromSeconds(5), MaxAttempts = 3 });

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.FailInfoText.Should().Contain("unknown device");
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_AfterTheRolloverCommand_ReturnsTheNextCaVerifiedWithTheCurrentOne()
    {
        var client = Client("scep");
        var info = await client.GetServerInfoAsync();

        var next = await client.GetNextCaCertificatesAsync(info);

        info.Capabilities.Supports(CaCapability.GetNextCACert).Should().BeTrue();
        next.IssuerCertificate.Subject.Should().Be(info.CaCertificates.IssuerCertificate.Subject, "rollover-ca keeps the subject");
        next.IssuerCertificate.RawData.Should().NotEqual(info.CaCertificates.IssuerCertificate.RawData);
    }

    private ScepClient Client(string alias, PkiOperationMethod method = PkiOperationMethod.Auto, TimeProvider? clock = null) =>
        new(_http, new Uri($"{_host.BaseUrl}/scep/{alias}/pkiclient.exe"), new ScepClientOptions { PkiOperationMethod = method, TimeProvider = clock ?? TimeProvider.System });

    private static Pkcs10Request Csr(RSA key, string subject, string challenge) =>
        new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challenge }.Build(key, HashAlgorithmName.SHA256);

    /// <summary>Runs an admin command of the host, which must succeed, and returns what it printed.</summary>
    private async Task<string> AdminAsync(params string[] arguments)
    {
        var run = await _host.AdminAsync(arguments);
        run.ExitCode.Should().Be(0, $"{string.Join(' ', arguments)}: {run.Output}{run.Error}");
        return run.Output;
    }

    /// <summary>The ID list-pending shows for a transaction (first column of its row).</summary>
    private async Task<string> PendingIdAsync(string transactionId)
    {
        var row = (await AdminAsync("list-pending")).Split('\n').SingleOrDefault(line => line.Contains(transactionId, StringComparison.Ordinal));
        row.Should().NotBeNull($"list-pending shows transaction {transactionId}");
        return row!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }
}
