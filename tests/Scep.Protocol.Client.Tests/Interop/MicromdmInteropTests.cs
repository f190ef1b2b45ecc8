using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Interop;

/// <summary>
/// ScepClient against micromdm's scepserver 2.1.0 on a private loopback. What the server does (and the tests pin):
/// a fixed capability list, one CA certificate, CertReps signed with SHA-1 and encrypted with DES-CBC whatever the
/// request used (so the client needs the legacy policy), FAILURE badRequest for a wrong challenge, and HTTP 500 for
/// GetCRL, GetCert, CertPoll and GetNextCACert, which it does not implement.
/// </summary>
[NonParallelizable]
public class MicromdmInteropTests
{
    private const string Challenge = "interop-secret";
    private MicromdmScepServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await MicromdmScepServer.StartAsync(Challenge);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ScepClient Client(PkiOperationMethod method = PkiOperationMethod.Auto, ScepAlgorithmPolicy? policy = null) =>
        new(_http, _server.Url, new ScepClientOptions { PkiOperationMethod = method, AlgorithmPolicy = policy ?? ScepAlgorithmPolicy.Legacy });

    [Test]
    public async Task GetCapabilities_ReturnsMicromdmsFixedList()
    {
        var capabilities = await Client().GetCapabilitiesAsync();

        capabilities.Advertised.Should().BeEquivalentTo(
            [CaCapability.Renewal, CaCapability.Sha1, CaCapability.Sha256, CaCapability.Aes, CaCapability.Des3, CaCapability.ScepStandard, CaCapability.PostPkiOperation]);
    }

    [Test]
    public async Task GetCaCertificates_ReturnsTheDepotCa()
    {
        var certificates = await Client().GetCaCertificatesAsync();

        certificates.Certificates.Should().ContainSingle();
        certificates.ContentType.Should().Be(ScepContentTypes.CaCertificate);
        var depot = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_server.CaPemPath));
        certificates.IssuerCertificate.Thumbprint.Should().Be(depot.Thumbprint);
    }

    [TestCase(PkiOperationMethod.Post)]
    [TestCase(PkiOperationMethod.Get)]
    public async Task Enroll_IsIssued_AndTheCertificateVerifiesWithOpenssl(PkiOperationMethod method)
    {
        var client = Client(method);
        var server = await client.GetServerInfoAsync();
        using var key = RSA.Create(2048);
        var subject = $"CN=interop-{method.ToString().ToLowerInvariant()}";
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = Challenge }.Build(key, HashAlgorithmName.SHA256);

        var result = await client.EnrollAsync(server, csr, key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.Subject.Should().Be(subject);
        result.Reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc, "scepserver 2.1.0 always answers with DES");
        result.Reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA1);
        (await OpensslVerifyAsync(result.Certificate)).Should().Be(0);
    }

    [Test]
    public async Task Enroll_WithDefaultPolicy_RefusesMicromdmsDesReply()
    {
        var client = Client(policy: ScepAlgorithmPolicy.Default);
        var server = await client.GetServerInfoAsync();
        using var key = RSA.Create(2048);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=interop-default-policy")) { ChallengePassword = Challenge }.Build(key, HashAlgorithmName.SHA256);

        var act = () => client.EnrollAsync(server, csr, key);

        (await act.Should().ThrowAsync<ScepException>()).Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public async Task Enroll_WrongChallenge_ReturnsSignedFailureBadRequest()
    {
        var client = Client();
        var server = await client.GetServerInfoAsync();
        using var key = RSA.Create(2048);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=interop-wrong")) { ChallengePassword = "not-the-secret" }.Build(key, HashAlgorithmName.SHA256);

        var result = await client.EnrollAsync(server, csr, key);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task Renew_WithChallenge_IssuesForTheNewKey()
    {
        var client = Client();
        var server = await client.GetServerInfoAsync();
        using var oldKey = RSA.Create(2048);
        var first = await client.EnrollAsync(server, new Pkcs10RequestBuilder(new X500DistinguishedName("CN=interop-renew")) { ChallengePassword = Challenge }.Build(oldKey, HashAlgorithmName.SHA256), oldKey);
        using var newKey = RSA.Create(2048);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=interop-renew")) { ChallengePassword = Challenge }.Build(newKey, HashAlgorithmName.SHA256);

        var renewed = await client.RenewAsync(server, csr, ScepSigner.Create(first.Certificate!, oldKey));

        renewed.Status.Should().Be(EnrollmentStatus.Issued, renewed.ToString());
        renewed.Request.MessageType.Should().Be(MessageType.RenewalReq);
        renewed.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(newKey.ExportSubjectPublicKeyInfo());
        (await OpensslVerifyAsync(renewed.Certificate)).Should().Be(0);
    }

    [Test]
    public async Task GetCrl_IsNotImplemented_AndReportedAsHttp500()
    {
        var client = Client();
        var server = await client.GetServerInfoAsync();

        var act = () => client.GetCrlAsync(server, IssuerAndSerialNumber.FromCertificate(server.CaCertificates.IssuerCertificate));

        (await act.Should().ThrowAsync<ScepTransportException>()).Which.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
    }

    private async Task<int> OpensslVerifyAsync(X509Certificate2 certificate)
    {
        var openssl = ExternalPeer.Require("openssl", "apt-get install -y openssl");
        var path = Path.Combine(_server.WorkDirectory, $"issued-{certificate.SerialNumber}.pem");
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());
        var result = await ExternalPeer.RunAsync(openssl, ["verify", "-CAfile", _server.CaPemPath, path]);
        result.Output.Should().Contain(": OK", result.Error);
        return result.ExitCode;
    }
}
