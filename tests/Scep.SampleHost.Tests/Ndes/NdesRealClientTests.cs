using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Ndes;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Ndes;

/// <summary>
/// Issue 17, NDES bar, on the real host process: a password scraped from <c>/certsrv/mscep_admin/</c> exactly as Fleet's
/// NDES integration reads it (<see cref="FleetNdesScraper"/>) enrolls micromdm's scepclient and certmonger at
/// <c>/certsrv/mscep/mscep.dll</c>; a second device with a used password gets a FAILURE; the page refuses anonymous
/// callers and wrong passwords. (Expiry and the cache limit are tested in process, on a fake clock: NdesPasswordTests.)
/// </summary>
[NonParallelizable]
public class NdesRealClientTests
{
    private const string User = "fleet-svc";
    private const string Password = "ndes-admin-password";

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["SampleHost__CaKeySize"] = "2048",
        ["Scep__Aliases__ndes__Mode"] = "Ra",
        // micromdm's scepclient speaks DES + SHA-1 only, as NDES's older clients do.
        ["Scep__Aliases__ndes__EncryptionAlgorithms__0"] = "DesCbc",
        ["Scep__Aliases__ndes__EncryptionAlgorithms__1"] = "TripleDesCbc",
        ["Scep__Aliases__ndes__EncryptionAlgorithms__2"] = "Aes128Cbc",
        ["Scep__Aliases__ndes__EncryptionAlgorithms__3"] = "Aes256Cbc",
        ["Scep__Aliases__ndes__DigestAlgorithms__0"] = "Sha1",
        ["Scep__Aliases__ndes__DigestAlgorithms__1"] = "Sha256",
        ["Ndes__Alias"] = "ndes",
        [$"Ndes__Users__{User}"] = Password,
        // Loopback over plain HTTP, for the test only (docs/ndes.md: Basic needs HTTPS otherwise).
        ["Ndes__AllowBasicOverHttp"] = "true",
    };

    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private HttpClient _http = null!;
    private string _caPem = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-ndes-");
        _host = await HostProcess.StartAsync(_directory.Sub("data"), Settings);
        _http = new HttpClient();
        var ca = X509CertificateLoader.LoadCertificate(await _http.GetByteArrayAsync(_host.BaseUrl + "/certsrv/mscep/mscep.dll?operation=GetCACert"));
        _caPem = _directory.File("ca.pem");
        await File.WriteAllTextAsync(_caPem, ca.ExportCertificatePem());
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
    public async Task ScrapedPassword_EnrollsMicromdmScepclient_AndASecondDeviceWithItFails()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var password = await ScrapeAsync();

        var first = await EnrollAsync("enroll-scepclient.sh", "ndes-scepclient-1", password);
        var second = await EnrollAsync("enroll-scepclient.sh", "ndes-scepclient-2", password);

        first.ExitCode.Should().Be(0, first.Output + first.Error + "\n" + Tail());
        await ShouldVerifyAsync("ndes-scepclient-1");
        second.ExitCode.Should().NotBe(0, "the password was spent by the first device");
        File.Exists(Path.Combine(_directory.File("enroll-scepclient.sh-ndes-scepclient-2"), "cert.pem")).Should().BeFalse();
    }

    [Test]
    public async Task ScrapedPassword_EnrollsCertmonger()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        var password = await ScrapeAsync();

        var run = await EnrollAsync("enroll-certmonger.sh", "ndes-certmonger", password);

        run.ExitCode.Should().Be(0, run.Output + run.Error + "\n" + Tail());
        await ShouldVerifyAsync("ndes-certmonger", "enroll-certmonger.sh");
    }

    [Test]
    public async Task AdminPage_RefusesAnonymousAndWrongPasswords()
    {
        using var anonymous = await _http.GetAsync(_host.BaseUrl + "/certsrv/mscep_admin/");
        var wrong = await FleetNdesScraper.FetchAsync(_http, new Uri(_host.BaseUrl + "/certsrv/mscep_admin/"), User, Password + "x");

        ((int)anonymous.StatusCode).Should().Be(401);
        anonymous.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic");
        wrong.Status.Should().Be(401);
        _host.Output.Should().NotContain(Password, "the admin password is never logged");
    }

    private async Task<string> ScrapeAsync()
    {
        var scraped = await FleetNdesScraper.FetchAsync(_http, new Uri(_host.BaseUrl + "/certsrv/mscep_admin/"), User, Password);
        scraped.Outcome.Should().Be(FleetNdesScraper.Outcome.Password, scraped.Html);
        return scraped.Password;
    }

    private async Task<ExternalPeer.Result> EnrollAsync(string script, string commonName, string challenge)
    {
        var output = _directory.Sub($"{script}-{commonName}");
        return await ExternalPeer.RunAsync(
            "bash", [Path.Combine(AppContext.BaseDirectory, "Interop", script), _host.BaseUrl + "/certsrv/mscep/mscep.dll", commonName, challenge, output, "60"], TimeSpan.FromSeconds(90));
    }

    private Task ShouldVerifyAsync(string commonName, string script = "enroll-scepclient.sh") =>
        EnrollScripts.ShouldVerifyAsync(Path.Combine(_directory.File($"{script}-{commonName}"), "cert.pem"), _caPem);

    private string Tail() => _host.Output.Length > 3000 ? _host.Output[^3000..] : _host.Output;
}
