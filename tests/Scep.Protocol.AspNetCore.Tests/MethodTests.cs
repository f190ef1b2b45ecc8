using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// The HTTP methods MapScep maps (GET, POST, HEAD) and what the others get: routing's own 405 with an Allow header,
/// before the pipeline. HEAD answers as GET would, headers only. POST takes the body whatever it is labelled.
/// </summary>
public class MethodTests
{
    private ScepKestrelHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    [TestCase("operation=GetCACaps", 200, "text/plain")]
    [TestCase("operation=GetCACert", 200, "application/x-x509-ca-cert")]
    [TestCase("", 400, "text/plain; charset=utf-8")]
    public async Task Head_AnswersWithTheHeadersOfGetAndNoBody(string query, int status, string contentType)
    {
        var get = await _host.GetAsync("/scep/pkiclient.exe?" + query);

        var head = await _host.SendAsync(HttpMethod.Head, "/scep/pkiclient.exe?" + query);

        (get.Status, get.ContentType).Should().Be((status, contentType));
        head.Status.Should().Be(status);
        head.ContentType.Should().Be(contentType);
        head.ContentLength.Should().Be(get.Body.Length).And.BeGreaterThan(0);
        head.Body.Should().BeEmpty();
    }

    [TestCase("PUT")]
    [TestCase("DELETE")]
    [TestCase("PATCH")]
    [TestCase("OPTIONS")]
    public async Task OtherMethod_Is405FromRoutingWithTheAllowedMethods(string method)
    {
        using var content = method is "PUT" or "PATCH" ? new ByteArrayContent([0x30, 0x00]) : null;

        var answer = await _host.SendAsync(new HttpMethod(method), "/scep/pkiclient.exe?operation=PKIOperation", content);

        answer.Status.Should().Be(405);
        answer.Allow.Should().Be("GET, HEAD, POST");
        answer.ContentType.Should().BeNull();
        answer.Body.Should().BeEmpty();
    }

    [TestCase(null)]
    [TestCase("application/octet-stream")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("text/plain")]
    public async Task Post_ContentTypeOtherThanPkiMessage_IsReadAsThePkiMessage(string? contentType)
    {
        var enrollee = Enrollee.Create("CN=labelled-" + (contentType ?? "none").Replace('/', '-'), keySlot: 11);
        using var content = new ByteArrayContent(enrollee.Request.RawData.ToArray());
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        var answer = await _host.SendAsync(HttpMethod.Post, "/scep/ra/pkiclient.exe?operation=PKIOperation", content);

        enrollee.IssuedFrom(answer).Should().NotBeNull();
    }

    [TestCase("")]
    [TestCase("?message=ignored")]
    public async Task Post_WithoutTheOperationParameter_IsAPkiOperation(string query)
    {
        var enrollee = Enrollee.Create("CN=post-without-operation", keySlot: 12, transactionId: "post-without-operation" + query.Length);

        var answer = await _host.PostAsync("/scep/ra/pkiclient.exe" + query, enrollee.Request.RawData);

        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=post-without-operation");
    }

    [Test]
    public async Task Post_ChunkedBodyWithoutContentLength_IsReadWhole()
    {
        var enrollee = Enrollee.Create("CN=chunked-post", keySlot: 13);
        using var content = new StreamContent(new UnseekableStream(enrollee.Request.RawData.ToArray()), bufferSize: 256);
        content.Headers.ContentType = new MediaTypeHeaderValue(ScepContentTypes.PkiMessage);
        content.Headers.ContentLength.Should().BeNull("HttpClient sends a body of unknown length chunked");

        var answer = await _host.SendAsync(HttpMethod.Post, "/scep/ra/pkiclient.exe?operation=PKIOperation", content);

        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=chunked-post");
    }

    /// <summary>A stream without a length, so HttpClient sends the body chunked.</summary>
    internal sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
