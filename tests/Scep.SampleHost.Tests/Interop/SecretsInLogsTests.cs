using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// Issue 7, secrets: the host process's standard output and error (JSON logs, request logging on) and the admin
/// commands' output never carry an enrollment code (given or generated), the RA challenge, an admin API key or the CA's PKCS#12 passphrase, on the success
/// path and on every failure path (wrong code, unknown user, code used twice, wrong challenge, undecodable input).
/// </summary>
[NonParallelizable]
public class SecretsInLogsTests
{
    [Test]
    public async Task HostAndAdminOutput_OnSuccessAndFailurePaths_NeverContainCodesChallengeOrPassphrase()
    {
        var marker = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        var passphrase = $"pass-{marker}-PASSPHRASE";
        var code = $"code-{marker}-CODE";
        var challenge = $"challenge-{marker}-CHALLENGE";
        var apiKey = $"apikey-{marker}-APIKEY-0123456789abcdef";
        using var directory = new TempDirectory("scep-secrets-");
        var settings = new System.Collections.Generic.Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["SampleHost__CaPassphrase"] = passphrase,
            ["Scep__Aliases__ra__RaChallenge"] = challenge,
            ["Logging__LogLevel__Default"] = "Trace",
            ["AdminApi__ApiKeys__0__Name"] = "ops",
            ["AdminApi__ApiKeys__0__Key"] = apiKey,
            ["AdminApi__ApiKeys__0__Role"] = "Operator",
        };
        await using var host = await HostProcess.StartAsync(directory.Sub("data"), settings);
        var admin = await host.AdminAsync("add-entity", "--username", "device-1", "--password", code);
        admin.ExitCode.Should().Be(0);
        var showCa = await host.AdminAsync("show-ca");
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var ca = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync("/scep/pkiclient.exe?operation=GetCACert"));
        var scep = new ScepTestClient(http, "/scep/pkiclient.exe", replySigner: ca);
        var ra = new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: ca);

        (await scep.SendAsync(ScepTestClient.NewDevice("CN=device-1", code + "-wrong", 60, ca).PkcsReq())).Status.Should().Be(PkiStatus.Failure);
        (await scep.SendAsync(ScepTestClient.NewDevice("CN=nobody", code, 61, ca).PkcsReq())).Status.Should().Be(PkiStatus.Failure);
        (await scep.SendAsync(ScepTestClient.NewDevice("CN=device-1", code, 62, ca).PkcsReq(), usePost: false)).Status.Should().Be(PkiStatus.Success);
        (await scep.SendAsync(ScepTestClient.NewDevice("CN=device-1", code, 63, ca).PkcsReq())).Status.Should().Be(PkiStatus.Failure, "the code is spent");
        (await ra.SendAsync(ScepTestClient.NewDevice("CN=ra-device", challenge, 64, ca).PkcsReq())).Status.Should().Be(PkiStatus.Success);
        (await ra.SendAsync(ScepTestClient.NewDevice("CN=ra-device-2", challenge + "x", 65, ca).PkcsReq())).Status.Should().Be(PkiStatus.Failure);
        (await http.GetAsync($"/scep/pkiclient.exe?operation=PKIOperation&message={code}")).IsSuccessStatusCode.Should().BeFalse();
        using (var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/admin/api/v1/entities"))
        {
            wrongKey.Headers.Add("X-Api-Key", apiKey + "-wrong");
            (await http.SendAsync(wrongKey)).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        }

        string generated;
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/admin/api/v1/entities") { Content = new StringContent("{\"username\":\"api-device\"}", System.Text.Encoding.UTF8, "application/json") })
        {
            create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
            var created = await http.SendAsync(create);
            created.StatusCode.Should().Be(System.Net.HttpStatusCode.Created);
            generated = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("enrollmentCode").GetString()!;
        }

        (await scep.SendAsync(ScepTestClient.NewDevice("CN=api-device", generated + "x", 66, ca).PkcsReq())).Status.Should().Be(PkiStatus.Failure);
        (await host.StopAsync()).Should().Be(0);

        var everything = string.Join("\n", host.Output, admin.Output, admin.Error, showCa.Output, showCa.Error);
        host.Output.Should().Contain("PKIOperation", "the requests were logged");
        everything.Should().NotContain(passphrase).And.NotContain("PASSPHRASE");
        everything.Should().NotContain("CHALLENGE", "the RA challenge is never logged");
        everything.Should().NotContain("APIKEY", "admin API keys, right or wrong, are never logged");
        everything.Should().NotContain(generated, "a generated enrollment code is shown to its caller only");
        host.Output.Should().Contain("Admin API: refused the API key", "the wrong key was logged as a refusal");
        everything.Should().NotContain("-CODE", "enrollment codes are never logged (nor a code sent as the message parameter)");
        File.ReadAllText(Path.Combine(host.DataDirectory, "scep.db")).Should().NotContain(code, "the database keeps only the code's hash");
    }
}
