using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;

namespace Scep.Protocol.Client.Tests.Client;

public class ScepClientTransportTests
{
    [Test]
    public async Task GetCapabilitiesAsync_ParsesKeywordsCaseInsensitivelyWithCrLf()
    {
        var server = new FakeScepServer { Capabilities = "postpkioperation\r\nSHA-512\r\n\r\nAES\r\nExample.com-Thing\r\n" };
        var client = ClientFixture.Create(server);

        var capabilities = await client.GetCapabilitiesAsync();

        capabilities.UsePost.Should().BeTrue();
        capabilities.Supports(CaCapability.Sha512).Should().BeTrue();
        capabilities.Supports(CaCapability.Aes).Should().BeTrue();
        capabilities.OtherKeywords.Should().Equal("Example.com-Thing");
        server.Requests.Single().Uri.Query.Should().Be("?operation=GetCACaps");
    }

    [Test]
    public async Task GetCapabilitiesAsync_HttpError_MeansNoCapabilities()
    {
        var server = new FakeScepServer { CapabilitiesStatus = HttpStatusCode.NotFound };

        var capabilities = await ClientFixture.Create(server).GetCapabilitiesAsync();

        capabilities.IsEmpty.Should().BeTrue();
    }

    [Test]
    public async Task GetCaCertificatesAsync_SendsCaIdentifierAsMessageParameter()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server, new ScepClientOptions { CaIdentifier = "my CA/1" });

        var certificates = await client.GetCaCertificatesAsync();

        certificates.IssuerCertificate.Thumbprint.Should().Be(server.Ca.Certificate.Thumbprint);
        server.Requests.Single().Uri.Query.Should().Be("?operation=GetCACert&message=my%20CA%2F1");
    }

    [Test]
    public async Task Operations_KeepAQueryTheEndpointAlreadyHas()
    {
        var server = new FakeScepServer();
        var client = new ScepClient(new HttpClient(server), new Uri("http://127.0.0.1/ejbca/publicweb/apply/scep/pkiclient.exe?alias=scep1"));

        await client.GetCapabilitiesAsync();

        server.Requests.Single().Uri.Query.Should().Be("?alias=scep1&operation=GetCACaps");
    }

    [Test]
    public async Task EnrollAsync_PostAdvertised_PostsDerBodyWithContentLengthAndPkiMessageType()
    {
        var server = new FakeScepServer { Capabilities = "POSTPKIOperation\nAES\nSHA-256" };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();

        await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        var recorded = server.PkiOperations.Single();
        recorded.Method.Should().Be(HttpMethod.Post);
        recorded.Uri.Query.Should().Be("?operation=PKIOperation");
        recorded.ContentType.Should().Be("application/x-pki-message");
        recorded.ContentLength.Should().Be(recorded.Message!.RawData.Length);
        recorded.Chunked.Should().NotBe(true, "NDES refuses chunked bodies");
    }

    [Test]
    public async Task EnrollAsync_PostNotAdvertised_SendsPercentEscapedStandardBase64ByGet()
    {
        var server = new FakeScepServer { Capabilities = "AES\nSHA-256" };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();

        await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        var recorded = server.PkiOperations.Single();
        recorded.Method.Should().Be(HttpMethod.Get);
        var query = recorded.Uri.Query;
        query.Should().StartWith("?operation=PKIOperation&message=");
        var message = query["?operation=PKIOperation&message=".Length..];
        message.Should().NotContainAny("+", "/", "=");
        Uri.UnescapeDataString(message).Should().Be(Convert.ToBase64String(recorded.Message!.RawData.Span));
    }

    [TestCase(PkiOperationMethod.Get, "GET")]
    [TestCase(PkiOperationMethod.Post, "POST")]
    public async Task EnrollAsync_MethodOption_OverridesCapabilities(PkiOperationMethod method, string expected)
    {
        var server = new FakeScepServer { Capabilities = method == PkiOperationMethod.Get ? "POSTPKIOperation" : string.Empty };
        var client = ClientFixture.Create(server, new ScepClientOptions { PkiOperationMethod = method });
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        result.Status.Should().Be(EnrollmentStatus.Issued);
        server.PkiOperations.Single().Method.Method.Should().Be(expected);
    }

    [TestCase("AES\nSHA-512\nSHA-256", ContentEncryptionAlgorithm.Aes128Cbc, "SHA512")]
    [TestCase("SCEPStandard", ContentEncryptionAlgorithm.Aes128Cbc, "SHA256")]
    [TestCase("DES3\nSHA-1", ContentEncryptionAlgorithm.TripleDesCbc, "SHA1")]
    [TestCase("", ContentEncryptionAlgorithm.TripleDesCbc, "SHA1")]
    public async Task EnrollAsync_ChoosesAlgorithmsFromCapabilities(string capabilities, ContentEncryptionAlgorithm encryption, string digest)
    {
        var server = new FakeScepServer { Capabilities = capabilities };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        result.Status.Should().Be(EnrollmentStatus.Issued);
        var request = server.PkiOperations.Single().Message!;
        request.Envelope!.ContentEncryptionAlgorithm.Should().Be(encryption);
        request.DigestAlgorithm.Should().Be(new HashAlgorithmName(digest));
    }

    [Test]
    public async Task EnrollAsync_AlgorithmOptions_OverrideCapabilities()
    {
        var server = new FakeScepServer { Capabilities = "AES\nSHA-512" };
        var options = new ScepClientOptions { ContentEncryption = ContentEncryptionAlgorithm.Aes256Cbc, DigestAlgorithm = HashAlgorithmName.SHA384 };
        var client = ClientFixture.Create(server, options);
        var key = ClientFixture.Key();

        await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        var request = server.PkiOperations.Single().Message!;
        request.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.Aes256Cbc);
        request.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA384);
    }

    [TestCase("ftp://ca.example/scep")]
    [TestCase("/scep")]
    public void Constructor_EndpointThatIsNotAnAbsoluteHttpUrl_IsRejected(string endpoint)
    {
        var act = () => new ScepClient(new HttpClient(), new Uri(endpoint, UriKind.RelativeOrAbsolute));

        act.Should().Throw<ArgumentException>().WithMessage("*absolute http or https*");
    }

    [Test]
    public void Constructor_ForcedAlgorithmThePolicyRefuses_IsRejected()
    {
        var act = () => new ScepClient(new HttpClient(), ClientFixture.Endpoint, new ScepClientOptions { ContentEncryption = ContentEncryptionAlgorithm.DesCbc });

        act.Should().Throw<ArgumentException>().WithMessage("*not allowed*");
    }

    [Test]
    public async Task EnrollAsync_HttpErrorOnPkiOperation_ThrowsTransportExceptionWithStatusAndText()
    {
        var server = new FakeScepServer { PkiOperationStatus = HttpStatusCode.InternalServerError };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();
        var info = await client.GetServerInfoAsync();

        var act = () => client.EnrollAsync(info, ClientFixture.Csr(key), key);

        var thrown = await act.Should().ThrowAsync<ScepTransportException>();
        thrown.Which.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        thrown.Which.Operation.Should().Be("PKIOperation");
        thrown.Which.Message.Should().Contain("HTTP 500").And.Contain("operation not implemented");
    }

    [Test]
    public async Task GetCapabilitiesAsync_NetworkFailure_ThrowsTransportException()
    {
        var client = new ScepClient(new HttpClient(new FailingHandler()), ClientFixture.Endpoint);

        var act = () => client.GetCapabilitiesAsync();

        var thrown = await act.Should().ThrowAsync<ScepTransportException>();
        thrown.Which.StatusCode.Should().BeNull();
        thrown.Which.InnerException.Should().BeOfType<HttpRequestException>();
    }

    private sealed class FailingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused (127.0.0.1:1)");
    }
}
