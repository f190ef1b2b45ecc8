using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Scep.Cli.Tests.Cli;
using Scep.Cli.Tests.Interop;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.Cli.Tests.SampleHost;

/// <summary>
/// Issue 5: 'scep check' against samples/Scep.SampleHost run as a process on a free 127.0.0.1 port, after the
/// operator's rollover-ca, compared with a committed snapshot.
/// </summary>
/// <remarks>
/// The host runs as tests/Scep.Protocol.Client.Tests/SampleHost runs it: appsettings.json's aliases (<c>ra</c> RA
/// mode with the challenge <c>change-me</c>, renewal on), an RSA-2048 CA for a quick start, and an alias
/// <c>approve</c> listed in SampleHost:ApprovalAliases. Refresh the snapshot after an intended change:
/// <c>SCEP_UPDATE_SNAPSHOTS=1 dotnet test tests/Scep.Cli.Tests --filter Check_AgainstTheSampleHost</c>.
/// </remarks>
[NonParallelizable]
public class SampleHostCommandLineTests
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

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory();
        _host = await HostProcess.StartAsync(_directory.File("data"), Settings);

        // An operator prepares the CA rollover while the host runs; the host picks next-ca.p12 up at the next request.
        var rollover = await _host.AdminAsync("rollover-ca");
        rollover.ExitCode.Should().Be(0, rollover.Output + rollover.Error);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
    }

    /// <summary>
    /// The RA alias as appsettings.json ships it, after rollover-ca. Every row passes except one warn: the renewal of
    /// the certificate the check was just issued, which the host refuses by policy before half the validity.
    /// </summary>
    [Test]
    public async Task Check_AgainstTheSampleHost_MatchesTheSnapshotWithNoFailure()
    {
        var url = $"{_host.BaseUrl}/scep/ra/pkiclient.exe";

        var run = await CliRunner.RunAsync(null, "check", url, "--challenge", RaChallenge);

        await Snapshot.ShouldMatchAsync("check-sample-host.txt", run.Output.Replace(_host.BaseUrl, "http://127.0.0.1:PORT", StringComparison.Ordinal));
        run.Output.Should().NotContain(" FAIL ");
        run.ExitCode.Should().Be(0, run.Error);
    }
}
