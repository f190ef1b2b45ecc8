using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// <c>SampleHost:RaCertificate=File</c> with the CA key in a SoftHSM2 token: the host issues an RA certificate into
/// <c>ra.p12</c>, GetCACert serves it before the CA, it signs the replies and decrypts the envelopes while the token key
/// only signs certificates; micromdm's scepclient and certmonger enroll; rollover issues the next CA's RA certificate; a
/// file CA takes one the same way; an RA file another CA issued stops the start with one line.
/// </summary>
[NonParallelizable]
public class RaCertificateTests
{
    private const string RaChallenge = "change-me";
    private const string Passphrase = "ra-file-passphrase-7731";
    private TempDirectory _directory = null!;
    private SoftHsmToken _token = null!;
    private HostProcess _host = null!;
    private X509Certificate2[] _caCertificates = null!;
    private X509Certificate2 _ra = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-ra-certificate-");
        _token = await SoftHsmToken.CreateAsync(_directory.Sub("softhsm"), "ra-file-token");
        var settings = _token.HostSettings();
        settings["SampleHost__CaKeySize"] = "2048";
        settings["SampleHost__RaCertificate"] = "File";
        settings["SampleHost__CaPassphrase"] = Passphrase;
        _host = await HostProcess.StartAsync(_directory.Sub("data"), settings);
        using var http = new HttpClient();
        var set = new SignedCms();
        set.Decode(await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetCACert"));
        _caCertificates = [.. set.Certificates];
        _ca = _caCertificates.Single(c => c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority));
        _ra = _caCertificates.Single(c => c != _ca);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
        foreach (var certificate in _caCertificates ?? [])
        {
            certificate.Dispose();
        }

        _ra?.Dispose();
        _ca?.Dispose();
    }

    [Test]
    public async Task GetCaCert_ServesTheRaCertificateFirst_IssuedByTheCa_ForSigningAndEncryption_AndShowCaNamesIt()
    {
        _caCertificates.Should().HaveCount(2);
        _caCertificates[0].Should().BeSameAs(_ra, "GetCACert lists RA certificates before the CA");
        _ra.IssuerName.Name.Should().Be(_ca.SubjectName.Name);
        var usage = _ra.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;
        usage.Should().HaveFlag(X509KeyUsageFlags.DigitalSignature).And.HaveFlag(X509KeyUsageFlags.KeyEncipherment);
        usage.Should().NotHaveFlag(X509KeyUsageFlags.KeyCertSign);
        _ra.GetRSAPublicKey()!.KeySize.Should().Be(2048);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_host.DataDirectory, "ra.p12")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.ReadAllText(Path.Combine(_host.DataDirectory, "ca.pem")).Should().NotContain("PRIVATE KEY");
        var shown = await _host.AdminAsync("show-ca");
        shown.ExitCode.Should().Be(0, shown.Error);
        shown.Output.Should().Contain("RA (signs the replies, decrypts the envelopes)").And.Contain(_ra.Subject);
    }

    [Test]
    public async Task Enrollment_ReplyIsSignedByTheRa_CertificateByTheTokenCa()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var client = new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: _ra);
        var device = ScepTestClient.NewDevice("CN=ra-file-device", RaChallenge, keySlot: 940, _ra);

        var reply = await client.SendAsync(device.PkcsReq());

        reply.SignerCertificate!.Thumbprint.Should().Be(_ra.Thumbprint, "the RA signs the reply, not the CA key in the token");
        var issued = device.IssuedFrom(reply);
        issued.IssuerName.Name.Should().Be(_ca.SubjectName.Name);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(issued).Should().BeTrue(string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Test]
    public async Task MicromdmScepClient_EnrollsThroughTheRaCertificate()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var added = await _host.AdminAsync("add-entity", "--username", "ra-file-mdm", "--password", "Pw-ra-file-mdm", "--alias", "legacy");
        added.ExitCode.Should().Be(0, added.Error);

        var certificate = await EnrollScripts.EnrollAsync("enroll-scepclient.sh", $"{_host.BaseUrl}/scep/legacy/pkiclient.exe", "ra-file-mdm", "Pw-ra-file-mdm",
            _directory.Sub("scepclient"), () => _host.Output);

        await EnrollScripts.ShouldVerifyAsync(certificate, Path.Combine(_host.DataDirectory, "ca.pem"));
    }

    [Test]
    public async Task Certmonger_EnrollsThroughTheRaCertificate()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");

        var certificate = await EnrollScripts.EnrollAsync("enroll-certmonger.sh", $"{_host.BaseUrl}/scep/ra/pkiclient.exe", "ra-file-cm", RaChallenge,
            _directory.Sub("certmonger"), () => _host.Output);

        await EnrollScripts.ShouldVerifyAsync(certificate, Path.Combine(_host.DataDirectory, "ca.pem"));
    }

    [Test]
    public async Task RolloverCa_IssuesTheNextCasRaCertificate_AndGetNextCaCertServesBoth()
    {
        var rolled = await _host.AdminAsync("rollover-ca");

        rolled.ExitCode.Should().Be(0, rolled.Error);
        File.Exists(Path.Combine(_host.DataDirectory, "next-ra.p12")).Should().BeTrue();
        using var http = new HttpClient();
        var reply = await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetNextCACert");
        var signed = new SignedCms();
        signed.Decode(reply);
        signed.CheckSignature(new X509Certificate2Collection(_ra), verifySignatureOnly: true);
        var inner = new SignedCms();
        inner.Decode(signed.ContentInfo.Content);
        var next = inner.Certificates.Cast<X509Certificate2>().ToList();
        next.Should().HaveCount(2);
        var nextCa = next.Single(c => c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority));
        nextCa.Thumbprint.Should().NotBe(_ca.Thumbprint);
        next.Single(c => c != nextCa).IssuerName.Name.Should().Be(nextCa.SubjectName.Name, "the next RA certificate is the next CA's");
    }

    [Test]
    public async Task FileCa_WithTheRaCertificate_RepliesAreSignedByTheRa_AndRolloverIssuesTheNextOne()
    {
        using var directory = new TempDirectory("scep-ra-certificate-file-ca-");
        var settings = new System.Collections.Generic.Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["SampleHost__RaCertificate"] = "File",
            ["SampleHost__CaPassphrase"] = Passphrase,
        };
        await using var host = await HostProcess.StartAsync(directory.Sub("data"), settings);
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var set = new SignedCms();
        set.Decode(await http.GetByteArrayAsync("/scep/ra/pkiclient.exe?operation=GetCACert"));
        var ra = set.Certificates[0];
        var ca = set.Certificates[1];
        ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority.Should().BeTrue();
        var device = ScepTestClient.NewDevice("CN=ra-file-ca-device", RaChallenge, keySlot: 941, ra);

        var reply = await new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: ra).SendAsync(device.PkcsReq());

        reply.SignerCertificate!.Thumbprint.Should().Be(ra.Thumbprint);
        device.IssuedFrom(reply).IssuerName.Name.Should().Be(ca.SubjectName.Name);
        File.Exists(Path.Combine(host.DataDirectory, "ca.p12")).Should().BeTrue();
        (await host.AdminAsync("rollover-ca")).ExitCode.Should().Be(0);
        File.Exists(Path.Combine(host.DataDirectory, "next-ra.p12")).Should().BeTrue();
        var next = new SignedCms();
        next.Decode(await http.GetByteArrayAsync("/scep/ra/pkiclient.exe?operation=GetNextCACert"));
        next.CheckSignature(new X509Certificate2Collection(ra), verifySignatureOnly: true);
    }

    [Test]
    public async Task WrongPassphraseForTheRaFile_AtStart_OneLineNamesTheFile_NeverThePassphrase()
    {
        var settings = _token.HostSettings();
        settings["SampleHost__DataDirectory"] = _host.DataDirectory;
        settings["SampleHost__RaCertificate"] = "File";
        settings["SampleHost__CaPassphrase"] = "not-the-ra-passphrase-4410";

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(Path.Combine(_host.DataDirectory, "ra.p12")).And.Contain("SampleHost:CaPassphrase")
            .And.NotContain("not-the-ra-passphrase-4410").And.NotContain(Passphrase);
        run.Output.Should().NotContain("not-the-ra-passphrase-4410");
    }

    [Test]
    public async Task RaFileOfAnotherCa_AtStart_OneLineNamesTheFile()
    {
        using var directory = new TempDirectory("scep-ra-certificate-foreign-");
        var data = directory.Sub("data");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(_host.DataDirectory, "ra.p12"), Path.Combine(data, "ra.p12"));
        var settings = new System.Collections.Generic.Dictionary<string, string>
        {
            ["SampleHost__DataDirectory"] = data,
            ["SampleHost__CaKeySize"] = "2048",
            ["SampleHost__RaCertificate"] = "File",
            ["SampleHost__CaPassphrase"] = Passphrase,
        };

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain(Path.Combine(data, "ra.p12")).And.Contain("was not issued by the CA").And.NotContain(Passphrase);
    }
}
