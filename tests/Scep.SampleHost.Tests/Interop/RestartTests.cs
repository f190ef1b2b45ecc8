using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>The host as a process, stopped and started again on its data folder: the CA, its passphrase, the entities and the issued certificates are still there.</summary>
[NonParallelizable]
public class RestartTests
{
    [Test]
    public async Task Restart_SameDataFolder_KeepsTheCaEntitiesAndCertificates()
    {
        using var directory = new TempDirectory("scep-restart-");
        var data = directory.Sub("data");
        X509Certificate2 ca;
        X509Certificate2 issuedBefore;
        await using (var first = await HostProcess.StartAsync(data))
        {
            ca = await GetCaAsync(first);
            (await first.AdminAsync("add-entity", "--username", "before-restart", "--password", "code-1")).ExitCode.Should().Be(0);
            (await first.AdminAsync("add-entity", "--username", "after-restart", "--password", "code-2", "--dn", "CN=after-restart,O=Example")).ExitCode.Should().Be(0);
            issuedBefore = await EnrollAsync(first, ca, "before-restart", "code-1", keySlot: 50);

            (await first.StopAsync()).Should().Be(0, "the host shuts down cleanly on SIGTERM");
        }

        ca.GetRSAPublicKey()!.KeySize.Should().Be(3072, "the default CA key is RSA 3072");
        File.Exists(Path.Combine(data, "ca.passphrase")).Should().BeTrue("without a configured passphrase the host generates one");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(data, "ca.p12")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var second = await HostProcess.StartAsync(data);
        (await GetCaAsync(second)).RawData.Should().Equal(ca.RawData, "the CA is loaded, not created again");
        var entities = await second.AdminAsync("list-entities");
        entities.Output.Should().MatchRegex("before-restart +GENERATED").And.MatchRegex("after-restart +NEW");
        var issuedAfter = await EnrollAsync(second, ca, "after-restart", "code-2", keySlot: 51);
        issuedAfter.Subject.Should().Be("CN=after-restart, O=Example");
        (await second.AdminAsync("list-certificates")).Output.Should().Contain(issuedBefore.SerialNumber).And.Contain(issuedAfter.SerialNumber);
        second.Output.Should().Contain("CA loaded").And.NotContain("code-2", "enrollment codes are never logged");
    }

    private static async Task<X509Certificate2> GetCaAsync(HostProcess host)
    {
        using var http = new HttpClient();
        return X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(host.BaseUrl + "/scep/pkiclient.exe?operation=GetCACert"));
    }

    private static async Task<X509Certificate2> EnrollAsync(HostProcess host, X509Certificate2 ca, string username, string code, int keySlot)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var device = ScepTestClient.NewDevice($"CN={username}", code, keySlot, ca);
        var reply = await new ScepTestClient(http, "/ejbca/publicweb/apply/scep/pkiclient.exe", replySigner: ca).SendAsync(device.PkcsReq());
        return device.IssuedFrom(reply);
    }
}
