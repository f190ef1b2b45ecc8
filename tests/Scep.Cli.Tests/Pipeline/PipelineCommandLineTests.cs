using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Cli.Tests.Cli;
using Scep.Cli.Tests.Interop;
using Scep.Protocol;
using Scep.Protocol.Client.Tests.Pipeline;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Cli.Tests.Pipeline;

/// <summary>
/// The scep command line against the real pipeline in process (its HTTP through <see cref="PipelineHttpHandler"/>, its
/// clock the pipeline's), including the conformance table of 'scep check' compared with a committed snapshot.
/// </summary>
/// <remarks>
/// Refresh the snapshot after an intended change of the check or of the pipeline:
/// <c>SCEP_UPDATE_SNAPSHOTS=1 dotnet test tests/Scep.Cli.Tests --filter Check_AgainstThePipeline</c>,
/// then review and commit the diff of Interop/Snapshots/check-pipeline.txt.
/// </remarks>
public class PipelineCommandLineTests
{
    private static readonly Lazy<TestCredential> NextCa = new(() => TestPki.CreateCa("CN=Scep Test CA G2,O=Scep.Protocol Tests", TestPki.CachedRsa(760)));

    /// <summary>
    /// The RA alias of a pipeline on the shared test CA with a rollover prepared (so GetNextCACert is answered),
    /// checked with a certificate issued 200 days earlier for --renew-cert: every row passes, except the renewal of
    /// the certificate the check was just issued, which the server refuses by policy (RenewalMinimumElapsedFraction).
    /// </summary>
    [Test]
    public async Task Check_AgainstThePipeline_MatchesTheSnapshotWithNoFailure()
    {
        var ca = TestPki.Ca;
        using var server = PipelineServer.Create(credentials: new ScepCaCredentials
        {
            CaCertificate = ca.Certificate,
            DecryptionCertificate = ca.Certificate,
            DecryptionKey = ca.Rsa,
            SigningCertificate = ca.Certificate,
            SigningKey = ca.Key,
            Next = ScepCaCredentials.ForCa(NextCa.Value.Certificate, NextCa.Value.Rsa),
        }, nextCaKey: NextCa.Value.Key);
        using var directory = new TempDirectory();
        var key = TestPki.CachedRsa(761);
        var older = await server.IssueAsync("scep-check-renewable", key);
        await File.WriteAllTextAsync(directory.File("old.pem"), older.Certificate!.ExportCertificatePem());
        await File.WriteAllTextAsync(directory.File("old-key.pem"), key.ExportPkcs8PrivateKeyPem());
        server.Time.Advance(TimeSpan.FromDays(200));

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "check", PipelineServer.Endpoint("ra").ToString(), "--challenge", PipelineServer.RaChallenge,
            "--renew-cert", directory.File("old.pem"), "--renew-key", directory.File("old-key.pem"));

        await Snapshot.ShouldMatchAsync("check-pipeline.txt", run.Output);
        run.Output.Should().NotContain(" FAIL ");
        run.ExitCode.Should().Be(0, run.Error);
    }

    [Test]
    public async Task EnrollThenPoll_PendingUntilTheAuthorityApproves_ExitsThreeThenZeroWithAVerifiedCertificate()
    {
        using var server = PipelineServer.Create();
        server.Authority.RequireApproval = true;
        server.AddEntity("cli-pending", "cli-code");
        using var directory = new TempDirectory();
        var url = PipelineServer.Endpoint("scep").ToString();

        var enroll = await CliRunner.RunAsync(server.Http, server.Clock, "enroll", url, "--cn", "cli-pending", "--challenge", "cli-code", "-o", directory.Path);
        var early = await CliRunner.RunAsync(server.Http, server.Clock, "poll", url, "--dir", directory.Path);
        server.Authority.Approve(server.Authority.PendingReferences.Single());
        var poll = await CliRunner.RunAsync(server.Http, server.Clock, "poll", url, "--dir", directory.Path);

        enroll.ExitCode.Should().Be(3, enroll.Output + enroll.Error);
        early.ExitCode.Should().Be(3, "nobody has decided yet");
        poll.ExitCode.Should().Be(0, poll.Output + poll.Error);
        var certificate = X509CertificateLoader.LoadCertificateFromFile(directory.File("cert.pem"));
        certificate.Subject.Should().Be("CN=cli-pending");
        CertificateSignature.IsIssuedBy(certificate, server.Ca.Certificate).Should().BeTrue();
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(directory.File("key.pem")));
        certificate.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo(), "the certificate is for the key enroll wrote");
    }

    [Test]
    public async Task Renew_AfterHalfTheValidity_WritesANewCertificateForANewKey()
    {
        using var server = PipelineServer.Create();
        using var directory = new TempDirectory();
        var oldKey = TestPki.CachedRsa(762);
        var old = (await server.IssueAsync("cli-renewer", oldKey)).Certificate!;
        await File.WriteAllTextAsync(directory.File("old.pem"), old.ExportCertificatePem());
        await File.WriteAllTextAsync(directory.File("old-key.pem"), oldKey.ExportPkcs8PrivateKeyPem());
        server.Time.Advance(TimeSpan.FromDays(200));

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "renew", PipelineServer.Endpoint("scep").ToString(),
            "--cert", directory.File("old.pem"), "--key", directory.File("old-key.pem"), "-o", directory.File("new"));

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        run.Output.Should().Contain("RenewalReq");
        var renewed = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory.File("new"), "cert.pem"));
        renewed.Subject.Should().Be("CN=cli-renewer");
        renewed.SerialNumber.Should().NotBe(old.SerialNumber);
        renewed.PublicKey.ExportSubjectPublicKeyInfo().Should().NotEqual(old.PublicKey.ExportSubjectPublicKeyInfo(), "renew makes a new key by default");
    }

    [Test]
    public async Task Check_RenewCertWithoutRenewKey_ExitsTwo()
    {
        using var server = PipelineServer.Create();

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "check", PipelineServer.Endpoint("ra").ToString(), "--renew-cert", "old.pem");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("--renew-cert and --renew-key go together");
        server.Http.Exchanges.Should().BeEmpty("nothing is sent before the command line is checked");
    }

    [Test]
    public async Task GetCrl_WithoutACertificate_FetchesTheCrlOfTheIssuingCaBelowAnIntermediate()
    {
        using var server = PipelinePki.IssuingCaChainServer();

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "getcrl", PipelineServer.Endpoint("ra").ToString());

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        run.Output.Should().Contain("signature verified with CN=Pipeline Test Issuing CA, O=Scep.Protocol Tests")
            .And.Contain("issuer     CN=Pipeline Test Issuing CA, O=Scep.Protocol Tests");
    }

    [Test]
    public async Task Check_IssuingCaBelowAnIntermediate_GetsTheCrlThatCoversTheIssuedCertificate()
    {
        using var server = PipelinePki.IssuingCaChainServer();

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "check", PipelineServer.Endpoint("ra").ToString(), "--challenge", PipelineServer.RaChallenge);

        run.Output.Should().MatchRegex(@"GetCACert\s+pass\s+2 certificates \(CA chain\), issuer CN=Pipeline Test Issuing CA")
            .And.MatchRegex(@"GetCRL\s+pass\s+CRL signed by CN=Pipeline Test Issuing CA");
    }
}
