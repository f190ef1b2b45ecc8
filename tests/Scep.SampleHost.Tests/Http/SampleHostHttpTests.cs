using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Http;

/// <summary>Every route and operation of the sample host, in process over HTTP (TestServer), on a fresh SQLite data folder.</summary>
public class SampleHostHttpTests
{
    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public void StartHost()
    {
        _directory = new TempDirectory("scep-http-");
        _host = new SampleHostFactory(_directory.Path);
        _ca = _host.Cas.Current.Certificate;
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [TestCase("/scep/pkiclient.exe")]
    [TestCase("/cgi-bin/pkiclient.exe")]
    [TestCase("/scep/scep/pkiclient.exe")]
    [TestCase("/scep/ra/pkiclient.exe")]
    [TestCase("/ejbca/publicweb/apply/scep/pkiclient.exe")]
    [TestCase("/ejbca/publicweb/apply/scep/scep/pkiclient.exe")]
    [TestCase("/ejbca/publicweb/apply/scep/ra/pkiclient.exe")]
    public async Task GetCaCapsAndGetCaCert_OnEveryRoute_AnswerWithTheDataFolderCa(string path)
    {
        var client = _host.Client(path);

        var capabilities = await client.GetCapabilitiesAsync();
        var certificates = await client.GetCaCertificatesAsync();

        capabilities.Split('\n', StringSplitOptions.TrimEntries).Should().Contain(["POSTPKIOperation", "AES", "SHA-256", "SCEPStandard"]);
        certificates.Certificates.Should().ContainSingle().Which.RawData.Should().Equal(_ca.RawData);
    }

    [Test]
    public async Task Ca_CreatedOnFirstStart_HasTheKeyUsagesCryptlibAndPixNeed()
    {
        var usage = _ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;

        usage.Should().HaveFlag(X509KeyUsageFlags.DigitalSignature).And.HaveFlag(X509KeyUsageFlags.KeyEncipherment)
            .And.HaveFlag(X509KeyUsageFlags.KeyCertSign).And.HaveFlag(X509KeyUsageFlags.CrlSign);
        File.Exists(Path.Combine(_directory.Path, "ca.p12")).Should().BeTrue();
        File.Exists(Path.Combine(_directory.Path, "scep.db")).Should().BeTrue();
    }

    [Test]
    public async Task GetCaCaps_LegacyAlias_AdvertisesDes3AndNotScepStandard()
    {
        var capabilities = await _host.Client("/scep/legacy/pkiclient.exe").GetCapabilitiesAsync();

        capabilities.Should().Contain("DES3").And.NotContain("SCEPStandard");
    }

    [Test]
    public async Task GetCaCertChain_LegacyOperation_ReturnsTheCaAsACertificatesOnlyMessage()
    {
        var response = await _host.Client("/ejbca/publicweb/apply/scep/pkiclient.exe").GetAsync("GetCACertChain");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be(ScepContentTypes.CaRaCertificateChain);
        DegenerateCertificateSet.Decode(await response.Content.ReadAsByteArrayAsync()).Certificates.Should().ContainSingle()
            .Which.RawData.Should().Equal(_ca.RawData);
    }

    [Test]
    public async Task GetNextCaCert_WithoutRollover_Answers404()
    {
        var response = await _host.Client().GetAsync("GetNextCACert");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _host.Client().GetCapabilitiesAsync()).Should().NotContain("GetNextCACert");
    }

    [TestCase(true, "/scep/pkiclient.exe")]
    [TestCase(false, "/scep/pkiclient.exe")]
    [TestCase(true, "/ejbca/publicweb/apply/scep/pkiclient.exe")]
    [TestCase(false, "/ejbca/publicweb/apply/scep/scep/pkiclient.exe")]
    public async Task CaMode_RegisteredEntity_IsIssuedWithItsDnAndRecorded(bool usePost, string path)
    {
        var username = $"router-{usePost}-{path.Length}";
        await _host.Admin.AddEntityAsync(username, "Code-" + username, $"CN={username},O=Example", null, CancellationToken.None);
        var device = ScepTestClient.NewDevice($"CN={username}", "Code-" + username, keySlot: usePost ? 11 : 12, _ca);

        var reply = await _host.Client(path).SendAsync(device.PkcsReq(), usePost);

        var issued = device.IssuedFrom(reply);
        issued.SubjectName.Name.Should().Be($"CN={username}, O=Example");
        ShouldChainTo(issued, _ca);
        device.Open(reply).Certificates.Should().Contain(c => c.RawData.SequenceEqual(_ca.RawData), "the CA certificate follows the issued one");
        (await _host.Admin.ListCertificatesAsync(CancellationToken.None)).Should().Contain(c => c.SerialNumber == issued.SerialNumber && c.Username == username);
        (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Single(e => e.Username == username).Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task CaMode_WrongCode_IsRefusedAndTheEntityStaysNew()
    {
        await _host.Admin.AddEntityAsync("wrong-code", "right-code", null, null, CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=wrong-code", "not-the-code", keySlot: 13, _ca);

        var reply = await _host.Client().SendAsync(device.PkcsReq());

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Single(e => e.Username == "wrong-code").Status.Should().Be(EndEntityStatus.New);
    }

    [Test]
    public async Task CaMode_CodeUsedTwice_SecondEnrollmentIsRefused()
    {
        await _host.Admin.AddEntityAsync("used-twice", "once", null, null, CancellationToken.None);
        var first = ScepTestClient.NewDevice("CN=used-twice", "once", keySlot: 14, _ca);
        var second = ScepTestClient.NewDevice("CN=used-twice", "once", keySlot: 15, _ca);
        (await _host.Client().SendAsync(first.PkcsReq())).Status.Should().Be(PkiStatus.Success);

        var again = await _host.Client().SendAsync(second.PkcsReq());

        again.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task ResentRequest_SameTransaction_GetsTheSameCertificate()
    {
        await _host.Admin.AddEntityAsync("resent", "resent-code", null, null, CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=resent", "resent-code", keySlot: 16, _ca);
        var first = device.IssuedFrom(await _host.Client().SendAsync(device.PkcsReq()));

        var second = device.IssuedFrom(await _host.Client().SendAsync(device.PkcsReq(), usePost: false));

        second.RawData.Should().Equal(first.RawData);
        (await _host.Admin.ListCertificatesAsync(CancellationToken.None)).Count(c => c.Username == "resent").Should().Be(1);
    }

    [TestCase(true, ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase(false, ContentEncryptionAlgorithm.TripleDesCbc)]
    public async Task RaMode_RightChallenge_IsIssuedWithTheRequestSubject(bool usePost, ContentEncryptionAlgorithm encryption)
    {
        var device = ScepTestClient.NewDevice($"CN=ra-device-{usePost},O=Branch", "change-me", keySlot: usePost ? 17 : 18, _ca, encryption);

        var reply = await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq(), usePost);

        var issued = device.IssuedFrom(reply);
        issued.SubjectName.RawData.Should().Equal(device.Csr.Subject.RawData);
        ShouldChainTo(issued, _ca);
        (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Should().Contain(e => e.Username == $"ra-device-{usePost}" && e.Status == EndEntityStatus.Generated);
    }

    [Test]
    public async Task RaMode_WrongChallenge_IsRefused()
    {
        var device = ScepTestClient.NewDevice("CN=ra-wrong", "guess", keySlot: 19, _ca);

        var reply = await _host.Client("/ejbca/publicweb/apply/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq());

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task LegacyAlias_DesAndSha1_IsIssued()
    {
        await _host.Admin.AddEntityAsync("legacy-device", "legacy-code", null, "legacy", CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=legacy-device", "legacy-code", keySlot: 20, _ca, ContentEncryptionAlgorithm.DesCbc, HashAlgorithmName.SHA1);

        var reply = await _host.Client("/scep/legacy/pkiclient.exe").SendAsync(device.PkcsReq());

        ShouldChainTo(device.IssuedFrom(reply), _ca);
    }

    [Test]
    public async Task EntityBoundToAlias_EnrollingThroughAnotherAlias_IsRefused()
    {
        await _host.Admin.AddEntityAsync("bound-device", "bound-code", null, "legacy", CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=bound-device", "bound-code", keySlot: 21, _ca);

        var reply = await _host.Client().SendAsync(device.PkcsReq());

        reply.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task ApprovalAlias_PendingUntilApproved_ThenCertPollDeliversTheCertificate()
    {
        await _host.Admin.AddEntityAsync("needs-approval", "approval-code", null, null, CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=needs-approval", "approval-code", keySlot: 22, _ca);
        var client = _host.Client("/scep/approve/pkiclient.exe");

        var first = await client.SendAsync(device.PkcsReq());
        first.Status.Should().Be(PkiStatus.Pending);
        var pending = (await _host.Admin.ListPendingAsync(CancellationToken.None)).Single(p => p.TransactionId == device.TransactionId);
        (await client.SendAsync(device.CertPoll(_ca))).Status.Should().Be(PkiStatus.Pending);

        var approved = await _host.Admin.ApproveAsync(pending.Id, CancellationToken.None);
        var polled = await client.SendAsync(device.CertPoll(_ca), usePost: false);

        device.IssuedFrom(polled).RawData.Should().Equal(approved.RawData);
        (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Single(e => e.Username == "needs-approval").Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task ApprovalAlias_Rejected_CertPollGetsFailure()
    {
        await _host.Admin.AddEntityAsync("to-reject", "reject-code", null, null, CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=to-reject", "reject-code", keySlot: 23, _ca);
        var client = _host.Client("/scep/approve/pkiclient.exe");
        (await client.SendAsync(device.PkcsReq())).Status.Should().Be(PkiStatus.Pending);
        var pending = (await _host.Admin.ListPendingAsync(CancellationToken.None)).Single(p => p.TransactionId == device.TransactionId);

        await _host.Admin.RejectAsync(pending.Id, "unknown device", CancellationToken.None);
        var polled = await client.SendAsync(device.CertPoll(_ca));

        polled.Status.Should().Be(PkiStatus.Failure);
        polled.FailInfoText.Should().Be("unknown device");
    }

    [Test]
    public async Task GetCert_IssuedSerial_ReturnsTheCertificate()
    {
        var device = ScepTestClient.NewDevice("CN=getcert-device", "change-me", keySlot: 24, _ca);
        var issued = device.IssuedFrom(await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq()));

        var reply = await _host.Client().SendAsync(device.GetCert(issued));

        device.Open(reply).Certificates[0].RawData.Should().Equal(issued.RawData);
    }

    [Test]
    public async Task GetCrl_AfterRevocation_ListsTheRevokedSerial()
    {
        var device = ScepTestClient.NewDevice("CN=revoked-device", "change-me", keySlot: 25, _ca);
        var issued = device.IssuedFrom(await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq()));
        await _host.Admin.RevokeAsync(issued.SerialNumber, X509RevocationReason.Superseded, CancellationToken.None);

        var reply = await _host.Client().SendAsync(device.GetCrl(issued), usePost: false);

        var crl = device.Open(reply).Crls.Should().ContainSingle().Subject;
        var builder = CertificateRevocationListBuilder.Load(crl.ToArray(), out _);
        builder.RemoveEntry(issued.SerialNumberBytes.Span).Should().BeTrue("the CRL lists the revoked serial");
    }

    [Test]
    public async Task Health_Answers200Healthy()
    {
        var response = await _host.CreateClient().GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Test]
    public async Task Metrics_AfterRequests_CountThemInPrometheusFormat()
    {
        const string legacyCaps = "scep_server_requests_total{scep_alias=\"legacy\",scep_operation=\"GetCACaps\",scep_outcome=\"ok\"}";
        const string raIssued = "scep_server_certificates_issued_total{scep_alias=\"ra\"}";
        const string raDuration = "scep_server_request_duration_milliseconds_count{scep_alias=\"ra\",scep_operation=\"PKIOperation\",scep_outcome=\"success\"}";
        var before = await MetricsAsync();

        await _host.Client("/scep/legacy/pkiclient.exe").GetCapabilitiesAsync();
        await _host.Client("/scep/legacy/pkiclient.exe").GetCapabilitiesAsync();
        var device = ScepTestClient.NewDevice("CN=metrics-device", "change-me", keySlot: 26, _ca);
        await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq());
        var after = await MetricsAsync();

        after.Should().Contain("# TYPE scep_server_requests_total counter").And.Contain("# TYPE scep_server_request_duration_milliseconds histogram");
        (ValueOf(after, legacyCaps) - ValueOf(before, legacyCaps)).Should().Be(2);
        (ValueOf(after, raIssued) - ValueOf(before, raIssued)).Should().Be(1);
        (ValueOf(after, raDuration) - ValueOf(before, raDuration)).Should().Be(1);
    }

    [Test]
    public async Task Metrics_ShowTheProcessCpuAndTheRuntimesJitAndGc()
    {
        var before = await MetricsAsync();
        await _host.Client("/scep/legacy/pkiclient.exe").GetCapabilitiesAsync();
        var after = await MetricsAsync();

        after.Should().Contain("# TYPE process_cpu_seconds_total counter").And.Contain("# TYPE dotnet_jit_compiled_methods_total counter");
        ValueOf(after, "process_cpu_seconds_total").Should().BeGreaterThan(0).And.BeGreaterThanOrEqualTo(ValueOf(before, "process_cpu_seconds_total"));
        ValueOf(after, "process_resident_memory_bytes").Should().BeGreaterThan(1 << 20);
        ValueOf(after, "dotnet_jit_compiled_methods_total").Should().BeGreaterThan(100);
        ValueOf(after, "dotnet_jit_compilation_seconds_total").Should().BeGreaterThan(0);
        ValueOf(after, "dotnet_gc_allocated_bytes_total").Should().BeGreaterThan(ValueOf(before, "dotnet_gc_allocated_bytes_total"));
        ValueOf(after, "dotnet_gc_collections_total{generation=\"0\"}").Should().BeGreaterThanOrEqualTo(ValueOf(after, "dotnet_gc_collections_total{generation=\"2\"}"));
    }

    private async Task<string> MetricsAsync()
    {
        var response = await _host.CreateClient().GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        return await response.Content.ReadAsStringAsync();
    }

    private static double ValueOf(string metrics, string series) =>
        metrics.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

    [Test]
    public async Task AdminCommands_OnTheRunningHost_PrintResultsAndExitCodes()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var added = await AdminCommands.RunAsync(["add-entity", "--username", "cli-device", "--password", "cli-secret", "--dn", "CN=cli-device,O=Example"], _host.Services, output, error, CancellationToken.None);
        var listed = await AdminCommands.RunAsync(["list-entities"], _host.Services, output, error, CancellationToken.None);
        var shown = await AdminCommands.RunAsync(["show-ca"], _host.Services, output, error, CancellationToken.None);
        var unknownApprove = await AdminCommands.RunAsync(["approve", "FFFF"], _host.Services, output, error, CancellationToken.None);
        var missingOption = await AdminCommands.RunAsync(["add-entity", "--password", "x"], _host.Services, output, error, CancellationToken.None);
        var badReason = await AdminCommands.RunAsync(["revoke", "01", "--reason", "bored"], _host.Services, output, error, CancellationToken.None);

        (added, listed, shown, unknownApprove, missingOption, badReason).Should().Be((0, 0, 0, 1, 2, 2));
        output.ToString().Should().Contain("Added end entity 'cli-device'").And.MatchRegex("cli-device +NEW +\\* +CN=cli-device,O=Example")
            .And.Contain("SHA-256:").And.Contain(_ca.GetCertHashString(HashAlgorithmName.SHA256)[..2]);
        output.ToString().Should().NotContain("cli-secret", "the enrollment code is never printed");
        error.ToString().Should().Contain("No pending request FFFF").And.Contain("--username is required").And.Contain("Unknown revocation reason 'bored'");
    }

    [Test]
    public async Task AddEntity_WithoutPassword_PrintsAGeneratedCodeOnce_WhichEnrolls()
    {
        using var output = new StringWriter();

        var exit = await AdminCommands.RunAsync(["add-entity", "--username", "generated-device"], _host.Services, output, output, CancellationToken.None);

        exit.Should().Be(0);
        var code = System.Text.RegularExpressions.Regex.Match(output.ToString(), "Enrollment code \\(shown once\\): ([A-Z2-9]{20})").Groups[1].Value;
        code.Should().HaveLength(20);
        var reply = await _host.Client().SendAsync(ScepTestClient.NewDevice("CN=generated-device", code, keySlot: 44, _ca).PkcsReq());
        reply.Status.Should().Be(PkiStatus.Success);
    }

    internal static void ShouldChainTo(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset? at = null)
    {
        using var chain = new X509Chain();
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        }

        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(certificate).Should().BeTrue(string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }
}
