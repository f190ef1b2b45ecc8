using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>The capture server the interop tests rely on: HTTP/1.0 and 1.1, GET and POST, raw query strings.</summary>
public class CaptureScepServerTests
{
    private TestCredential _ca = null!;
    private CaptureScepServer _server = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        _ca = TestPki.Ca;
        _server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Fail(_ca, FailInfo.BadRequest), "AES\nPOSTPKIOperation\n");
        _http = new HttpClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task GetCaCaps_OverHttp10_AnswersWithTheConfiguredText()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _server.Url + "?operation=GetCACaps") { Version = HttpVersion.Version10 };

        using var response = await _http.SendAsync(request);

        response.Version.Should().Be(HttpVersion.Version10);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Be("AES\nPOSTPKIOperation\n");
        new Uri(_server.Url).Host.Should().Be("127.0.0.1");
    }

    [Test]
    public async Task GetCaCert_AnswersWithTheCaCertificate()
    {
        using var response = await _http.GetAsync(_server.Url + "?operation=GetCACert&message=ignored");

        response.Content.Headers.ContentType!.MediaType.Should().Be(ScepContentTypes.CaCertificate);
        CaCertificates.Decode(await response.Content.ReadAsByteArrayAsync()).IssuerCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
    }

    [Test]
    public async Task PkiOperation_ByGetWithEscapedBase64_IsCapturedAndAnsweredByTheDelegate()
    {
        var (message, _, _) = Scenario.PkcsReq(_ca);

        using var response = await _http.GetAsync(_server.Url + "?operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(message.RawData.Span));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be(ScepContentTypes.PkiMessage);
        var captured = _server.Operations.Should().ContainSingle().Subject;
        captured.Method.Should().Be("GET");
        captured.Bytes.Should().Equal(message.RawData.ToArray());
        var reply = PkiMessage.Decode(await response.Content.ReadAsByteArrayAsync());
        reply.EnsureIsReplyTo(message);
        reply.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public async Task PkiOperation_ByChunkedPostWithExpectContinue_IsCapturedByteForByte()
    {
        var (message, _, _) = Scenario.PkcsReq(_ca);
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.Url + "?operation=PKIOperation")
        {
            Content = new StreamContent(new NonSeekableStream(message.Encode())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-pki-message");
        request.Headers.ExpectContinue = true;
        request.Headers.TransferEncodingChunked = true;

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK, _server.Describe());
        var captured = _server.Operations.Should().ContainSingle().Subject;
        captured.Method.Should().Be("POST");
        captured.ContentType.Should().Be("application/x-pki-message");
        captured.Bytes.Should().Equal(message.RawData.ToArray());
    }

    [Test]
    public async Task PkiOperation_WithBytesThatAreNotAPkiMessage_IsCapturedAndAnswered400()
    {
        using var response = await _http.PostAsync(_server.Url + "?operation=PKIOperation", new ByteArrayContent([0x30, 0x03, 0x02, 0x01, 0x00]));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        _server.Operations.Should().ContainSingle().Which.Message.Should().BeNull();
        _server.Errors.Should().ContainSingle().Which.Should().BeOfType<ScepException>();
    }

    [Test]
    public async Task UnknownOperation_IsAnswered400AndLogged()
    {
        using var response = await _http.GetAsync(_server.Url + "?operation=GetNextCACert");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        _server.Exchanges.Should().ContainSingle().Which.Should().Be(new HttpExchange("GET", "/cgi-bin/pkiclient.exe?operation=GetNextCACert", "GetNextCACert", 400));
    }

    /// <summary>A stream without a length, so HttpClient has to send the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
