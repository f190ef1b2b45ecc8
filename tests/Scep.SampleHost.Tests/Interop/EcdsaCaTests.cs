using System;
using System.Collections.Generic;
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
/// The sample host with <c>SampleHost:CaKeyAlgorithm</c> EcdsaP256 or EcdsaP384: an ECDSA CA that signs replies,
/// certificates and CRLs, and an RSA encryption certificate (issued by it, keyEncipherment) the clients encrypt to.
/// Which real clients accept it is what docs/devices.md records: certmonger enrolls; micromdm's scepclient 2.1.0
/// encrypts to every GetCACert certificate and stops at the ECDSA one.
/// </summary>
[TestFixture("EcdsaP256", "P-256", "ecdsa-with-SHA256")]
[TestFixture("EcdsaP384", "P-384", "ecdsa-with-SHA384")]
[NonParallelizable]
public class EcdsaCaTests(string algorithm, string curve, string signatureAlgorithm)
{
    private const string RaChallenge = "change-me";
    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private X509Certificate2Collection _caCertificates = null!;
    private string _caPem = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-ecdsa-ca-");
        _host = await HostProcess.StartAsync(_directory.Sub("data"), new Dictionary<string, string>
        {
            ["SampleHost__CaKeyAlgorithm"] = algorithm,
            ["SampleHost__CaKeySize"] = "2048",
        });
        using var http = new HttpClient();
        var reply = await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetCACert");
        var signed = new SignedCms();
        signed.Decode(reply);
        _caCertificates = signed.Certificates;
        _caPem = _directory.File("ca.pem");
        await File.WriteAllTextAsync(_caPem, Ca.ExportCertificatePem());
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

    private X509Certificate2 Ca => _caCertificates.Single(c => c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority));

    [Test]
    public void GetCaCert_ServesTheRsaEncryptionCertificateFirstThenTheEcdsaCa()
    {
        _caCertificates.Should().HaveCount(2);
        var encryption = _caCertificates[0];
        encryption.GetRSAPublicKey().Should().NotBeNull();
        encryption.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages
            .Should().Be(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, "clients choose the recipient by keyUsage");
        encryption.IssuerName.RawData.Should().Equal(Ca.SubjectName.RawData, "the CA issued its encryption certificate");
        _caCertificates[1].Thumbprint.Should().Be(Ca.Thumbprint);
        using var key = Ca.GetECDsaPublicKey();
        key!.KeySize.Should().Be(curve == "P-384" ? 384 : 256);
        Ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment)
            .Should().BeFalse("an ECDSA key cannot decrypt, so the CA certificate must not invite encryption to it");
    }

    [Test]
    public async Task ShowCa_NamesTheCurve()
    {
        var shown = await _host.AdminAsync("show-ca");

        shown.ExitCode.Should().Be(0, shown.Error);
        shown.Output.Should().Contain($"ECDSA {curve}");
    }

    [Test]
    public async Task Certmonger_RaMode_EnrollsACertificateSignedWithEcdsa()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        var output = _directory.Sub("certmonger-" + algorithm);

        var run = await ExternalPeer.RunAsync("bash", [Script("enroll-certmonger.sh"), $"{_host.BaseUrl}/scep/ra/pkiclient.exe", "cm-ecdsa", RaChallenge, output, "60"], TimeSpan.FromSeconds(90));

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        var certificate = Path.Combine(output, "cert.pem");
        await EnrollScripts.ShouldVerifyAsync(certificate, _caPem);
        var text = await ExternalPeer.RunAsync("openssl", ["x509", "-in", certificate, "-noout", "-text"]);
        text.Output.Should().Contain("Signature Algorithm: " + signatureAlgorithm);
    }

    [Test]
    public async Task MicromdmScepClient_EcdsaCa_CannotEncryptToTheEcdsaCertificate()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var output = _directory.Sub("scepclient-" + algorithm);

        var run = await ExternalPeer.RunAsync("bash", [Script("enroll-scepclient.sh"), $"{_host.BaseUrl}/scep/ra/pkiclient.exe", "mdm-ecdsa", RaChallenge, output, "60"], TimeSpan.FromSeconds(90));

        // scepclient 2.1.0 (Debian 12) encrypts to every certificate of GetCACert (go.mozilla.org/pkcs7 Encrypt) and
        // panics on the ECDSA one before it sends anything. If this starts to pass, docs/devices.md must say so.
        run.ExitCode.Should().NotBe(0);
        (await File.ReadAllTextAsync(Path.Combine(output, "scepclient.log"))).Should().Contain("ecdsa.PublicKey");
    }

    [Test]
    public async Task IssueCrl_IsSignedByTheEcdsaCaAndOpensslVerifiesIt()
    {
        var file = _directory.File($"ecdsa-{algorithm}.crl");

        var issued = await _host.AdminAsync("issue-crl", "--out", file);

        issued.ExitCode.Should().Be(0, issued.Error);
        var text = await ExternalPeer.RunAsync("openssl", ["crl", "-inform", "DER", "-in", file, "-noout", "-text", "-CAfile", _caPem]);
        (text.Output + text.Error).Should().Contain("verify OK");
        text.Output.Should().Contain("Signature Algorithm: " + signatureAlgorithm);
    }

    [Test]
    public async Task RolloverCa_CreatesAnEcdsaNextCaWithItsOwnEncryptionCertificate()
    {
        var rolled = await _host.AdminAsync("rollover-ca");
        rolled.ExitCode.Should().Be(0, rolled.Error);
        using var http = new HttpClient();

        var reply = await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetNextCACert");

        var signed = new SignedCms();
        signed.Decode(reply);
        signed.CheckSignature(new X509Certificate2Collection(Ca), verifySignatureOnly: true);
        // RFC 8894 §4.7: the signed content is a degenerate certificates-only PKCS#7 with the next CA's certificates.
        var inner = new SignedCms();
        inner.Decode(signed.ContentInfo.Content);
        var next = inner.Certificates.Cast<X509Certificate2>().ToList();
        next.Should().HaveCount(2);
        next.Should().ContainSingle(c => c.GetECDsaPublicKey() != null && c.Thumbprint != Ca.Thumbprint, "the next CA has a new ECDSA key");
        next.Should().ContainSingle(c => c.GetRSAPublicKey() != null && c.Thumbprint != _caCertificates[0].Thumbprint, "and a new encryption certificate");
    }

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);
}
