using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Client;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// The sample host as the RA of another sample host (docs/upstream.md): devices enroll at the RA, which authorizes
/// them and forwards their requests under its own certificate; the upstream issues. Real clients (micromdm's
/// scepclient, certmonger) and the library's ScepClient as devices; the upstream's PENDING, refusal and absence.
/// </summary>
[NonParallelizable]
public class UpstreamRaTests
{
    private UpstreamTopology _topology = null!;

    [OneTimeSetUp]
    public async Task Start() => _topology = await UpstreamTopology.StartAsync();

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }

    [Test]
    public async Task MicromdmScepClient_EnrollingAtTheRa_GetsACertificateTheUpstreamIssuedOnce()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");

        var certificate = await EnrollWithScriptAsync("enroll-scepclient.sh", "edge", "upstream-mdm-1", RaSetup.EdgeChallenge);

        await ShouldBeIssuedByTheUpstreamAsync(certificate);
        (await _topology.UpstreamCertificateCountAsync("upstream-mdm-1")).Should().Be(1);
    }

    [Test]
    public async Task Certmonger_EnrollingAtTheRa_GetsACertificateTheUpstreamIssued()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");

        var certificate = await EnrollWithScriptAsync("enroll-certmonger.sh", "edge", "upstream-cm-1", RaSetup.EdgeChallenge);

        await ShouldBeIssuedByTheUpstreamAsync(certificate);
        (await _topology.UpstreamCertificateCountAsync("upstream-cm-1")).Should().Be(1);
    }

    [Test]
    public async Task WrongChallengeAtTheRa_IsRefusedThereAndNothingReachesTheUpstream()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-wrong-1", "not-the-challenge");

        var result = await device.EnrollAsync();

        result.Status.Should().Be(EnrollmentStatus.Failed);
        (await _topology.UpstreamCertificateCountAsync("upstream-wrong-1")).Should().Be(0);
    }

    [Test]
    public async Task EnrollmentCodeAtTheRa_IsOneTime_AndTheUpstreamIssuesForIt()
    {
        var added = await _topology.Ra.AdminAsync("add-entity", "--username", "upstream-code-1", "--password", "code-upstream-1", "--alias", "edge-ca");
        added.ExitCode.Should().Be(0, added.Error);

        var first = await (await Device.StartAsync(_topology.RaUrl("edge-ca"), "CN=upstream-code-1", "code-upstream-1")).EnrollAsync();
        var second = await (await Device.StartAsync(_topology.RaUrl("edge-ca"), "CN=upstream-code-1", "code-upstream-1")).EnrollAsync();

        first.Status.Should().Be(EnrollmentStatus.Issued, first.FailInfoText);
        first.Certificate!.Issuer.Should().Be(_topology.UpstreamCa.Subject);
        second.Status.Should().Be(EnrollmentStatus.Failed, "the code was used");
        (await _topology.UpstreamCertificateCountAsync("upstream-code-1")).Should().Be(1);
    }

    [Test]
    public async Task ReSentRequest_IsAnsweredWithTheSameCertificate_NotIssuedAgain()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-resend-1", RaSetup.EdgeChallenge);
        var first = await device.EnrollAsync();

        var again = await device.SendAgainAsync(first.Transaction);

        again.Status.Should().Be(EnrollmentStatus.Issued);
        again.Certificate!.RawData.Should().Equal(first.Certificate!.RawData);
        (await _topology.UpstreamCertificateCountAsync("upstream-resend-1")).Should().Be(1);
    }

    [Test]
    public async Task GetCert_AtTheRa_AnswersFromItsRecordOfWhatTheUpstreamIssued()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-getcert-1", RaSetup.EdgeChallenge);
        var issued = (await device.EnrollAsync()).Certificate!;

        var found = await device.Client.GetCertificateAsync(device.Server, IssuerAndSerialNumber.FromCertificate(issued));

        found.Status.Should().Be(PkiStatus.Success);
        found.Certificate!.RawData.Should().Equal(issued.RawData);
    }

    [Test]
    public async Task GetCrl_AtTheRa_IsTheUpstreamsCrl_WithWhatTheUpstreamRevoked()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=upstream-crl-1", RaSetup.EdgeChallenge);
        var issued = (await device.EnrollAsync()).Certificate!;
        var revoked = await _topology.Upstream.AdminAsync("revoke", issued.SerialNumber, "--reason", "keyCompromise");
        revoked.ExitCode.Should().Be(0, revoked.Error);

        var crl = await device.Client.GetCrlAsync(device.Server, IssuerAndSerialNumber.FromCertificate(issued));

        crl.Status.Should().Be(PkiStatus.Success, crl.FailInfoText);
        crl.CrlIssuer!.RawData.Should().Equal(_topology.UpstreamCa.RawData);
        var file = _topology.Directory.File("upstream.crl");
        await File.WriteAllBytesAsync(file, crl.Crl.ToArray());
        var text = await ExternalPeer.RunAsync(ExternalPeer.Require("openssl", "apt-get install -y openssl"), ["crl", "-inform", "DER", "-in", file, "-noout", "-text"]);
        text.Output.Should().Contain("Serial Number: " + issued.SerialNumber);
    }

    [Test]
    public async Task GetCaCert_AtTheRa_GivesTheUpstreamCaAndTheRaCertificate()
    {
        var device = await Device.StartAsync(_topology.RaUrl("edge"), "CN=unused", null);

        device.Server.CaCertificates.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo([_topology.UpstreamCa.Thumbprint, _topology.RaCertificate.Thumbprint]);
    }

    private Task<string> EnrollWithScriptAsync(string script, string alias, string commonName, string challenge) =>
        EnrollScripts.EnrollAsync(
            script, _topology.RaUrl(alias), commonName, challenge, _topology.Directory.Sub($"{Path.GetFileNameWithoutExtension(script)}-{commonName}"),
            () => $"RA log:\n{Tail(_topology.Ra.Output)}\nupstream log:\n{Tail(_topology.Upstream.Output)}");

    private async Task ShouldBeIssuedByTheUpstreamAsync(string certificatePem)
    {
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        var verify = await ExternalPeer.RunAsync(openssl, ["verify", "-CAfile", _topology.UpstreamCaPem, certificatePem]);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain(": OK");
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(30));
}

/// <summary>A device using the library's ScepClient: its own key, a CSR with a challenge, the RA's URL.</summary>
internal sealed class Device
{
    private Device(ScepClient client, ScepServerInfo server, RSA key, Pkcs10Request csr)
    {
        Client = client;
        Server = server;
        Key = key;
        Csr = csr;
    }

    public ScepClient Client { get; }

    public ScepServerInfo Server { get; }

    public RSA Key { get; }

    public Pkcs10Request Csr { get; }

    public static async Task<Device> StartAsync(string url, string subject, string? challenge)
    {
        var client = new ScepClient(new HttpClient { Timeout = TimeSpan.FromSeconds(60) }, new Uri(url));
        var key = RSA.Create(2048);
        return new Device(client, await client.GetServerInfoAsync(), key, Scenario.Csr(subject, key, challenge));
    }

    public Task<EnrollmentResult> EnrollAsync() => Client.EnrollAsync(Server, Csr, Key);

    public Task<EnrollmentResult> SendAgainAsync(EnrollmentTransaction transaction) => Client.SendPkcsReqAsync(Server, transaction, Csr);

    public Task<EnrollmentResult> PollAsync(EnrollmentTransaction transaction) => Client.PollOnceAsync(Server, transaction);
}
