using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Client;
using Scep.Protocol.Client.Tests.Interop;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// micromdm's scepserver (Debian package scep) as the upstream CA behind the sample host as RA. scepserver cannot
/// authenticate an RA (it checks only a static challenge in the CSR), so the RA's alias uses that same challenge:
/// the RA checks it before anything is forwarded, and scepserver checks it again. Devices: micromdm's scepclient and
/// certmonger.
/// </summary>
[NonParallelizable]
public class MicromdmUpstreamTests
{
    private const string Challenge = "micromdm-upstream-secret";

    private MicromdmScepServer _micromdm = null!;
    private TempDirectory _directory = null!;
    private HostProcess _ra = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _micromdm = await MicromdmScepServer.StartAsync(Challenge);
        _directory = new TempDirectory("scep-micromdm-upstream-");

        // The RA's own certificate, enrolled at scepserver like any client's.
        var p12 = _directory.File("ra.p12");
        using var ra = await RaSetup.EnrollRaCertificateAsync(_micromdm.Url, "CN=Edge RA", Challenge, new ScepClientOptions { AlgorithmPolicy = ScepAlgorithmPolicy.Legacy }, p12);

        var settings = UpstreamTopology.RaSettingsFor(_micromdm.Url.ToString(), _micromdm.CaPemPath, p12, Challenge);
        settings["Upstream__AllowLegacyAlgorithms"] = "true";
        _ra = await HostProcess.StartAsync(_directory.Sub("ra-data"), settings);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_ra is not null)
        {
            await _ra.DisposeAsync();
        }

        if (_micromdm is not null)
        {
            await _micromdm.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    public async Task MicromdmScepClient_EnrollingAtTheRa_GetsACertificateMicromdmIssued()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");

        var certificate = await EnrollWithScriptAsync("enroll-scepclient.sh", "micromdm-upstream-1");

        await ShouldBeIssuedByMicromdmAsync(certificate);
    }

    [Test]
    public async Task Certmonger_EnrollingAtTheRa_GetsACertificateMicromdmIssued()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");

        var certificate = await EnrollWithScriptAsync("enroll-certmonger.sh", "micromdm-upstream-2");

        await ShouldBeIssuedByMicromdmAsync(certificate);
    }

    [Test]
    public async Task WrongChallenge_IsRefusedByTheRa_BeforeMicromdmSeesIt()
    {
        var device = await Device.StartAsync($"{_ra.BaseUrl}/scep/edge/pkiclient.exe", "CN=micromdm-upstream-wrong", "guess");
        var forwardedBefore = ForwardedCount();

        var result = await device.EnrollAsync();

        result.Status.Should().Be(EnrollmentStatus.Failed);
        ForwardedCount().Should().Be(forwardedBefore, "nothing was forwarded");
    }

    /// <summary>How many answers from the upstream the RA has logged (issued, pending, refused, unreachable).</summary>
    private int ForwardedCount() => System.Text.RegularExpressions.Regex.Count(_ra.Output, "Upstream CA (issued serial|holds request|not reached)|rejected: The upstream");

    private Task<string> EnrollWithScriptAsync(string script, string commonName) =>
        EnrollScripts.EnrollAsync(
            script, $"{_ra.BaseUrl}/scep/edge/pkiclient.exe", commonName, Challenge, _directory.Sub($"{Path.GetFileNameWithoutExtension(script)}-{commonName}"),
            () => $"RA log:\n{string.Join('\n', _ra.Output.Split('\n').TakeLast(20))}\nmicromdm:\n{_micromdm.Log}");

    private async Task ShouldBeIssuedByMicromdmAsync(string certificatePem)
    {
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        var verify = await ExternalPeer.RunAsync(openssl, ["verify", "-CAfile", _micromdm.CaPemPath, certificatePem]);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        _ra.Output.Should().Contain("Upstream CA issued serial");
    }
}
