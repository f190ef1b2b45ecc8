using System;
using System.IO;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Cli;
using Scep.Protocol.Client.Tests.Interop;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// The scep command line against the real pipeline in process (its HTTP through <see cref="PipelineHttpHandler"/>, its
/// clock the pipeline's), including the conformance table of 'scep check' compared with a committed snapshot.
/// </summary>
/// <remarks>
/// Refresh the snapshot after an intended change of the check or of the pipeline:
/// <c>SCEP_UPDATE_SNAPSHOTS=1 dotnet test tests/Scep.Protocol.Client.Tests --filter Check_AgainstThePipeline</c>,
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
