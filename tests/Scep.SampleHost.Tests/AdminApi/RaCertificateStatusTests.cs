using System.Linq;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Testing;
using Scep.SampleHost.Tests.Infrastructure;
using Scep.SampleHost.Tests.WebConsole;

namespace Scep.SampleHost.Tests.AdminApi;

/// <summary>With <c>SampleHost:RaCertificate=File</c> the admin API's CA status and the console's dashboard name the RA certificate GetCACert serves.</summary>
public class RaCertificateStatusTests
{
    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;
    private X509Certificate2 _ra = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-ra-status-");
        var settings = AdminApiAuthenticationTests.Settings();
        foreach (var (key, value) in ConsoleTestUsers.Settings())
        {
            settings[key] = value;
        }

        settings["SampleHost:RaCertificate"] = "File";
        _host = new SampleHostFactory(_directory.Path, settings: settings);
        using var http = _host.CreateClient();
        var set = new SignedCms();
        set.Decode(await http.GetByteArrayAsync("/scep/ra/pkiclient.exe?operation=GetCACert"));
        _ra = set.Certificates[0];
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        _ra?.Dispose();
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task CaStatus_NamesTheRaCertificateGetCaCertServes()
    {
        using var http = _host.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiAuthenticationTests.ViewerKey);

        var status = await http.GetFromJsonAsync<JsonElement>("/admin/api/v1/ca");

        var ra = status.EnumerateArray().Single().GetProperty("ra");
        ra.GetProperty("subject").GetString().Should().Be(_ra.Subject).And.Contain("SCEP RA");
        ra.GetProperty("sha256").GetString().Should().Be(_ra.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
    }

    [Test]
    public async Task Dashboard_NamesTheRaCertificate()
    {
        using var client = new ConsoleClient(_host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));
        (await client.SignInAsync("watch", ConsoleTestUsers.ViewerPassword)).StatusCode.Should().Be(System.Net.HttpStatusCode.Redirect);

        var html = await client.Http.GetStringAsync("/console");

        html.Should().Contain("id=\"ra-current\"").And.Contain(System.Net.WebUtility.HtmlEncode(_ra.Subject));
    }
}
