using System;
using System.Threading.Tasks;
using Scep.Cli.Tests.Cli;
using Scep.Protocol.Client.Tests.Interop;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Cli.Tests.Interop;

/// <summary>
/// The scep command line against micromdm's scepserver 2.1.0, including the conformance table of 'scep check'
/// compared with a committed snapshot.
/// </summary>
/// <remarks>
/// Refresh the snapshot after an intended change of the check or of the server package:
/// <c>SCEP_UPDATE_SNAPSHOTS=1 dotnet test tests/Scep.Cli.Tests --filter Check_AgainstMicromdm</c>,
/// then review and commit the diff of Interop/Snapshots/check-micromdm.txt.
/// </remarks>
[NonParallelizable]
public class MicromdmCommandLineTests
{
    private const string Challenge = "cli-secret";
    private const string SnapshotName = "check-micromdm.txt";
    private MicromdmScepServer _server = null!;
    private TempDirectory _directory = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await MicromdmScepServer.StartAsync(Challenge);

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [SetUp]
    public void CreateDirectory() => _directory = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _directory.Dispose();

    [Test]
    public async Task Enroll_WithLegacy_WritesACertificateThatOpensslVerifies()
    {
        var run = await CliRunner.RunAsync(null, "enroll", _server.Url.ToString(), "--cn", "cli-interop", "--challenge", Challenge, "--legacy", "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        run.Output.Should().Contain("CertRep      SUCCESS").And.Contain("SHA-1, DES-CBC");
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        var verify = await ExternalPeer.RunAsync(openssl, ["verify", "-CAfile", _server.CaPemPath, _directory.File("cert.pem")]);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        var subject = await ExternalPeer.RunAsync(openssl, ["x509", "-in", _directory.File("cert.pem"), "-noout", "-subject", "-nameopt", "RFC2253"]);
        subject.Output.Trim().Should().Be("subject=CN=cli-interop");
    }

    [Test]
    public async Task Enroll_WithoutLegacy_ExitsFiveAndSuggestsIt()
    {
        var run = await CliRunner.RunAsync(null, "enroll", _server.Url.ToString(), "--cn", "cli-no-legacy", "--challenge", Challenge, "-o", _directory.Path);

        run.ExitCode.Should().Be(5);
        run.Error.Should().Contain("--legacy");
    }

    [Test]
    public async Task GetCrl_ExitsFourBecauseMicromdmAnswersHttp500()
    {
        var run = await CliRunner.RunAsync(null, "getcrl", _server.Url.ToString(), "--legacy");

        run.ExitCode.Should().Be(4);
        run.Error.Should().Contain("HTTP 500");
    }

    [Test]
    public async Task Check_AgainstMicromdm_MatchesTheSnapshot()
    {
        var run = await CliRunner.RunAsync(null, "check", _server.Url.ToString(), "--challenge", Challenge);
        var actual = run.Output.Replace(_server.Url.ToString(), "http://127.0.0.1:PORT/scep", StringComparison.Ordinal);

        await Snapshot.ShouldMatchAsync(SnapshotName, actual);
        run.ExitCode.Should().Be(1, "micromdm answers AES requests with DES, which the check reports as a failure");
    }
}
