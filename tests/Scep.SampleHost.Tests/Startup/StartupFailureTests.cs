using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Startup;

/// <summary>
/// The built sample host, started as a process the way an operator starts it, with a setting, a file or an address
/// that keeps it from starting: one line on standard error names the problem and the setting, exit code 1, no stack
/// trace and no secret.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class StartupFailureTests
{
    [Test]
    public async Task AddressInUse_OneLineNamesTheAddressAndTheUrlsSetting()
    {
        using var directory = new TempDirectory("scep-startup-port-");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var run = await HostProcess.RunToExitAsync(Settings(directory.Sub("data")), ["--urls", url]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(url).And.Contain("in use").And.Contain("--urls");
    }

    [TestCase("Scep__Aliases__ra__Mode", "Bogus", "Scep:Aliases:ra:Mode is 'Bogus', which is not one of Ca, Ra")]
    [TestCase("Scep__Aliases__extra__Mode", "Ra", "Scep:Aliases:extra:Mode is Ra, which needs RaChallenge")]
    [TestCase("Scep__Aliases__ra__RaChalenge", "x", "Scep:Aliases:ra:RaChalenge")]
    [TestCase("Scep__Aliases__ra__MaxMessageSize", "big", "Scep:Aliases:ra:MaxMessageSize is 'big', which is not a whole number")]
    [TestCase("SampleHost__Store", "Disk", "SampleHost:Store is 'Disk', which is not one of Database, InMemory")]
    public async Task InvalidSetting_OneLineNamesTheSetting(string variable, string value, string expected)
    {
        using var directory = new TempDirectory("scep-startup-setting-");
        var settings = Settings(directory.Sub("data"));
        settings[variable] = value;

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(expected);
        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [TestCase("Key", "too-short", "AdminApi:ApiKeys 'ops': the key must have at least 32 characters")]
    [TestCase("KeySha256", "abc", "AdminApi:ApiKeys 'ops': KeySha256 is not 64 hex digits")]
    [TestCase("Role", "Root", "AdminApi:ApiKeys:0:Role is 'Root', which is not one of Viewer, Operator, Admin")]
    [TestCase("Kee", "x", "AdminApi:ApiKeys:0 has no setting AdminApi:ApiKeys:0:Kee")]
    [TestCase("Key", "a-long-enough-key-0123456789abcdef0123", "AdminApi needs SampleHost:Store=Database", "InMemory")]
    public async Task InvalidAdminApiKey_OneLineNamesIt_AndNoCaIsCreated(string field, string value, string expected, string store = "Database")
    {
        using var directory = new TempDirectory("scep-startup-adminapi-");
        var settings = Settings(directory.Sub("data"));
        settings["SampleHost__Store"] = store;
        settings["AdminApi__ApiKeys__0__Name"] = "ops";
        settings[$"AdminApi__ApiKeys__0__{field}"] = value;

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(expected);
        if (field == "Key" && store == "Database")
        {
            (run.Output + run.Error).Should().NotContain(value, "a key is never printed");
        }
        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [TestCase("Intune__ClientId", "not-a-guid", "Intune: ClientId is the app registration's application id")]
    [TestCase("Intune__WhenUnavailable", "Sometimes", "Intune:WhenUnavailable must be Fail or Pending")]
    [TestCase("Intune__ClientSecretFile", "/nonexistent/secret", "Intune: set ClientSecret or ClientSecretFile, not both")]
    public async Task InvalidIntuneSetting_OneLineNamesIt_NeverTheSecret_AndNoCaIsCreated(string variable, string value, string expected)
    {
        using var directory = new TempDirectory("scep-startup-intune-");
        var settings = Settings(directory.Sub("data"));
        settings["Intune__TenantId"] = "contoso.onmicrosoft.com";
        settings["Intune__ClientId"] = "6e0c2b1a-3f4d-4e5a-9b8c-7d6e5f4a3b2c";
        settings["Intune__ClientSecret"] = "intune-secret-SECRETVALUE";
        settings["Intune__Aliases"] = "ra";
        settings[variable] = value;

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(expected);
        (run.Output + run.Error).Should().NotContain("SECRETVALUE");
        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [TestCase("nowhere", TestName = "NdesAliasThatDoesNotExist_OneLineNamesIt_AndNoCaIsCreated")]
    [TestCase("ra", TestName = "NdesAliasWithAStaticChallenge_OneLineNamesIt_AndNoCaIsCreated")]
    public async Task InvalidNdesAlias_OneLineNamesIt_AndNoCaIsCreated(string alias)
    {
        using var directory = new TempDirectory("scep-startup-ndes-");
        var settings = Settings(directory.Sub("data"));
        settings["Ndes__Alias"] = alias;
        settings["Ndes__Users__fleet"] = "ndes-admin-password";

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain($"Ndes:Alias '{alias}' must name an RA-mode alias without RaChallenge");
        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [TestCase("Upstream__Url", "http://127.0.0.1:9/scep", "Upstream:CaCertificateFile (the upstream CA certificate, PEM or DER) is not set")]
    [TestCase("Upstream__Mode", "Pull", "Upstream:CaCertificateFile (the upstream CA certificate, PEM or DER) is not set")]
    [TestCase("ExternalRa__Url", "http://127.0.0.1:9/admin/api/v1/upstream/requests", "ExternalRa:Url must be the https URL of the RA's queue")]
    [TestCase("ExternalRa__Url", "https://127.0.0.1:9/admin/api/v1/upstream/requests", "ExternalRa:ServerCertificateSha256 must be the SHA-256")]
    public async Task InvalidUpstreamOrExternalRaSetting_OneLineNamesIt_AndNoCaIsCreated(string variable, string value, string expected)
    {
        using var directory = new TempDirectory("scep-startup-upstream-");
        var settings = Settings(directory.Sub("data"));
        settings[variable] = value;

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(expected);
        Directory.GetFiles(directory.File("data")).Should().BeEmpty("a bad setting stops the host before it creates a CA");
    }

    [Test]
    public async Task CaFileThatIsNotPkcs12_OneLineNamesTheFile()
    {
        using var directory = new TempDirectory("scep-startup-ca-");
        var data = directory.Sub("data");
        await File.WriteAllBytesAsync(Path.Combine(data, "ca.p12"), [0x30, 0x03, 0x02, 0x01, 0x03, 0x00, 0xff]);
        var settings = Settings(data);
        settings["SampleHost__CaPassphrase"] = "right-passphrase";

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(Path.Combine(data, "ca.p12")).And.Contain("not a PKCS#12 file")
            .And.NotContain("right-passphrase");
    }

    [Test]
    public async Task WrongPassphrase_OneLineNamesTheFileAndWhereThePassphraseCameFrom_NeverThePassphrase()
    {
        using var directory = new TempDirectory("scep-startup-passphrase-");
        var data = directory.Sub("data");
        var ca = TestPki.CreateCa("CN=Startup Test CA", TestPki.CachedRsa(0));
        using (var withKey = ca.Certificate.CopyWithPrivateKey(ca.Rsa))
        {
            await File.WriteAllBytesAsync(Path.Combine(data, "ca.p12"), withKey.Export(X509ContentType.Pkcs12, "the-right-passphrase"));
        }

        var settings = Settings(data);
        settings["SampleHost__CaPassphrase"] = "a-wrong-passphrase";

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(Path.Combine(data, "ca.p12")).And.Contain("does not open with the passphrase of SampleHost:CaPassphrase")
            .And.NotContain("a-wrong-passphrase").And.NotContain("the-right-passphrase");
    }

    [Test]
    public async Task NoAppSettingsInTheWorkingDirectoryNorBesideTheProgram_OneLineNamesBothFoldersAndContentRoot()
    {
        using var directory = new TempDirectory("scep-startup-settings-");
        var program = CopyOfTheBuildWithout(directory.Sub("program"), "appsettings.json");
        var workingDirectory = directory.Sub("cwd");

        var run = await HostProcess.RunToExitAsync(Settings(directory.Sub("data")), ["--urls", "http://127.0.0.1:0"], workingDirectory, Path.Combine(program, "Scep.SampleHost.dll"));

        HostProcess.ShouldFailInOneLine(run).Should().Contain("appsettings.json").And.Contain(workingDirectory).And.Contain(program).And.Contain("--contentRoot");
    }

    [Test]
    public async Task StartedFromAnotherWorkingDirectory_ReadsTheAppSettingsBesideTheProgram()
    {
        using var directory = new TempDirectory("scep-startup-elsewhere-");

        await using var host = await HostProcess.StartAsync(directory.Sub("data"), new Dictionary<string, string> { ["SampleHost__CaKeySize"] = "2048" }, workingDirectory: directory.Sub("cwd"));
        using var http = new HttpClient();
        var caps = await http.GetAsync(host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetCACaps");

        caps.StatusCode.Should().Be(HttpStatusCode.OK, "the alias ra comes from the appsettings.json beside the program");
    }

    /// <summary>The environment of a start that is expected to fail: a small CA key, in case it gets that far.</summary>
    private static Dictionary<string, string> Settings(string dataDirectory) => new()
    {
        ["SampleHost__DataDirectory"] = dataDirectory,
        ["SampleHost__CaKeySize"] = "2048",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    };

    /// <summary>Exit code 1, one line on standard error, no stack trace anywhere; returns the line.</summary>
    private static string CopyOfTheBuildWithout(string target, string left)
    {
        foreach (var file in Directory.EnumerateFiles(HostProcess.Directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(HostProcess.Directory, file);
            if (relative != left)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
                File.Copy(file, Path.Combine(target, relative));
            }
        }

        return target;
    }
}
