using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// Real SCEP clients against the sample host run as a process on a free loopback port: micromdm's scepclient
/// (DES-CBC + SHA-1; POST when POSTPKIOperation is advertised, GET otherwise) and certmonger (GET; AES-256 when AES
/// is advertised, 3DES when only DES3 is), in CA mode with an entity added by the admin command and in RA mode.
/// openssl checks every certificate against the CA; GetCRL after <c>revoke</c> gives a CRL openssl reads.
/// </summary>
[NonParallelizable]
public class RealClientTests
{
    private const string RaChallenge = "change-me";

    /// <summary>Test aliases next to appsettings.json's scep, ra and legacy: each limits the transport or cipher so a success proves which was used.</summary>
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["Scep__Aliases__legacy-get__Mode"] = "Ca",
        ["Scep__Aliases__legacy-get__AllowPost"] = "false",
        ["Scep__Aliases__legacy-get__EncryptionAlgorithms__0"] = "DesCbc",
        ["Scep__Aliases__legacy-get__DigestAlgorithms__0"] = "Sha1",
        ["Scep__Aliases__ra-legacy__Mode"] = "Ra",
        ["Scep__Aliases__ra-legacy__RaChallenge"] = RaChallenge,
        ["Scep__Aliases__ra-legacy__EncryptionAlgorithms__0"] = "DesCbc",
        ["Scep__Aliases__ra-legacy__DigestAlgorithms__0"] = "Sha1",
        ["Scep__Aliases__ra-legacy-get__Mode"] = "Ra",
        ["Scep__Aliases__ra-legacy-get__RaChallenge"] = RaChallenge,
        ["Scep__Aliases__ra-legacy-get__AllowPost"] = "false",
        ["Scep__Aliases__ra-legacy-get__EncryptionAlgorithms__0"] = "DesCbc",
        ["Scep__Aliases__ra-legacy-get__DigestAlgorithms__0"] = "Sha1",
        ["Scep__Aliases__des3__Mode"] = "Ca",
        ["Scep__Aliases__des3__EncryptionAlgorithms__0"] = "TripleDesCbc",
        ["Scep__Aliases__ra-des3__Mode"] = "Ra",
        ["Scep__Aliases__ra-des3__RaChallenge"] = RaChallenge,
        ["Scep__Aliases__ra-des3__EncryptionAlgorithms__0"] = "TripleDesCbc",
        ["Scep__Aliases__ra-aes__Mode"] = "Ra",
        ["Scep__Aliases__ra-aes__RaChallenge"] = RaChallenge,
        ["Scep__Aliases__ra-aes__EncryptionAlgorithms__0"] = "Aes256Cbc",
        ["Scep__Aliases__ra-aes__EncryptionAlgorithms__1"] = "Aes128Cbc",
    };

    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private string _caPem = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-real-clients-");
        _host = await HostProcess.StartAsync(_directory.Sub("data"), Aliases);
        using var http = new HttpClient();
        _ca = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(_host.BaseUrl + "/scep/pkiclient.exe?operation=GetCACert"));
        _caPem = _directory.File("ca.pem");
        await File.WriteAllTextAsync(_caPem, _ca.ExportCertificatePem());
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
        _ca?.Dispose();
    }

    [TestCase("legacy", "POST")]
    [TestCase("legacy-get", "GET")]
    public async Task MicromdmScepClient_CaModeWithAddedEntity_Enrolls(string alias, string method)
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var username = $"mdm-ca-{alias}";
        var added = await _host.AdminAsync("add-entity", "--username", username, "--password", "Pw-" + username, "--dn", $"CN={username},O=Example", "--alias", alias);
        added.ExitCode.Should().Be(0, added.Error);

        var certificate = await EnrollAsync("enroll-scepclient.sh", alias, username, "Pw-" + username);

        (await SubjectAsync(certificate)).Should().Be($"subject=CN={username},O=Example", "CA mode issues with the DN of add-entity");
        await ShouldBeIssuedHereAsync(certificate);
        TransportsOf(alias).Should().Contain(method);
        if (method == "GET")
        {
            TransportsOf(alias).Should().NotContain("POST", "the alias does not advertise POSTPKIOperation");
        }

        var entities = await _host.AdminAsync("list-entities");
        entities.Output.Should().MatchRegex($"{username} +GENERATED");
    }

    [TestCase("ra-legacy", "POST")]
    [TestCase("ra-legacy-get", "GET")]
    public async Task MicromdmScepClient_RaModeWithChallenge_Enrolls(string alias, string method)
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var name = $"mdm-{alias}";

        var certificate = await EnrollAsync("enroll-scepclient.sh", alias, name, RaChallenge);

        (await SubjectAsync(certificate)).Should().StartWith($"subject=CN={name},", "RA mode keeps the request's subject");
        await ShouldBeIssuedHereAsync(certificate);
        TransportsOf(alias).Should().Contain(method);
        if (method == "GET")
        {
            TransportsOf(alias).Should().NotContain("POST");
        }
    }

    [TestCase("scep")]
    [TestCase("des3")]
    public async Task Certmonger_CaModeWithAddedEntity_Enrolls(string alias)
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        var username = $"cm-ca-{alias}";
        var added = await _host.AdminAsync("add-entity", "--username", username, "--password", "Pw-" + username);
        added.ExitCode.Should().Be(0, added.Error);

        var certificate = await EnrollAsync("enroll-certmonger.sh", alias, username, "Pw-" + username);

        (await SubjectAsync(certificate)).Should().Be($"subject=CN={username}");
        await ShouldBeIssuedHereAsync(certificate);
        TransportsOf(alias).Should().Contain("GET").And.NotContain("POST", "certmonger 0.79 sends PKIOperation by GET");
    }

    [TestCase("ra-aes")]
    [TestCase("ra-des3")]
    [TestCase("ra")]
    public async Task Certmonger_RaModeWithChallenge_Enrolls(string alias)
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        var name = $"cm-{alias}";

        var certificate = await EnrollAsync("enroll-certmonger.sh", alias, name, RaChallenge);

        (await SubjectAsync(certificate)).Should().Be($"subject=CN={name}");
        await ShouldBeIssuedHereAsync(certificate);
    }

    [Test]
    public async Task GetCrl_AfterRevokeCommand_ReturnsACrlOpensslReadsWithTheSerial()
    {
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var client = new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: _ca);
        var device = ScepTestClient.NewDevice("CN=crl-device", RaChallenge, keySlot: 40, _ca);
        var issued = device.IssuedFrom(await client.SendAsync(device.PkcsReq()));

        var revoked = await _host.AdminAsync("revoke", issued.SerialNumber, "--reason", "keyCompromise");
        revoked.ExitCode.Should().Be(0, revoked.Error);
        var reply = await client.SendAsync(device.GetCrl(issued));

        var crl = _directory.File("getcrl.crl");
        await File.WriteAllBytesAsync(crl, device.Open(reply).Crls.Should().ContainSingle().Subject.ToArray());
        var text = await ExternalPeer.RunAsync(openssl, ["crl", "-inform", "DER", "-in", crl, "-noout", "-text", "-CAfile", _caPem]);
        text.ExitCode.Should().Be(0, text.Error);
        (text.Output + text.Error).Should().Contain("verify OK");
        text.Output.Should().Contain($"Serial Number: {issued.SerialNumber}").And.Contain("Key Compromise");
    }

    [Test]
    public async Task IssueCrlCommand_WritesACrlOpensslReads()
    {
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        var file = _directory.File("issued.crl");

        var first = await _host.AdminAsync("issue-crl", "--out", file);
        var second = await _host.AdminAsync("issue-crl", "--out", file);

        first.ExitCode.Should().Be(0, first.Error);
        second.Output.Should().MatchRegex("CRL number [0-9]+ of CN=Scep.Protocol Sample CA");
        var number = await ExternalPeer.RunAsync(openssl, ["crl", "-inform", "DER", "-in", file, "-noout", "-crlnumber"]);
        number.ExitCode.Should().Be(0, number.Error);
        long.Parse(number.Output.Trim().Split('=')[1].Replace("0x", string.Empty, StringComparison.Ordinal), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(long.Parse(System.Text.RegularExpressions.Regex.Match(first.Output, "CRL number ([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<string> EnrollAsync(string script, string alias, string commonName, string challenge)
    {
        var output = _directory.Sub($"{Path.GetFileNameWithoutExtension(script)}-{alias}-{commonName}");
        var url = $"{_host.BaseUrl}/scep/{alias}/pkiclient.exe";
        var run = await ExternalPeer.RunAsync("bash", [Path.Combine(AppContext.BaseDirectory, "Interop", script), url, commonName, challenge, output, "60"], TimeSpan.FromSeconds(90));
        run.ExitCode.Should().Be(0, $"{script} against {url}: {run.Output}{run.Error}\nhost log tail:\n{Tail(_host.Output)}");
        var certificate = Path.Combine(output, "cert.pem");
        File.Exists(certificate).Should().BeTrue();
        return certificate;
    }

    private async Task<string> SubjectAsync(string certificate)
    {
        var subject = await ExternalPeer.RunAsync("openssl", ["x509", "-in", certificate, "-noout", "-subject", "-nameopt", "RFC2253"]);
        return subject.Output.Trim();
    }

    /// <summary>openssl verifies the certificate against the CA, and the host's database has it on record.</summary>
    private async Task ShouldBeIssuedHereAsync(string certificate)
    {
        await EnrollScripts.ShouldVerifyAsync(certificate, _caPem);
        var serial = (await ExternalPeer.RunAsync("openssl", ["x509", "-in", certificate, "-noout", "-serial"])).Output.Trim().Split('=')[1];
        var listed = await _host.AdminAsync("list-certificates");
        listed.Output.Should().Contain(serial, "the certificate is recorded in the database");
    }

    /// <summary>The HTTP methods the host's request log shows for an alias's path (JSON console lines).</summary>
    private List<string> TransportsOf(string alias)
    {
        var path = $"/scep/{alias}/pkiclient.exe";
        var methods = new List<string>();
        foreach (var line in _host.Output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var entry = JsonDocument.Parse(line);
            if (entry.RootElement.TryGetProperty("State", out var state)
                && state.TryGetProperty("Path", out var logged) && logged.GetString() == path
                && state.TryGetProperty("Method", out var method))
            {
                methods.Add(method.GetString()!);
            }
        }

        return methods;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(15));
}
