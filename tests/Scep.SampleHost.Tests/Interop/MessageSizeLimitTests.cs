using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// Issue 7, limits at the HTTP edge, on the host process behind Kestrel: the request body (MapScep reads at most
/// the largest alias's MaxMessageSize, with or without Content-Length), an alias's own MaxMessageSize, and the GET
/// <c>message</c> parameter (Kestrel's request-line limit, 8 KiB by default, comes first). Each just over the bound.
/// </summary>
[NonParallelizable]
public class MessageSizeLimitTests
{
    private const int DefaultLimit = 128 * 1024;
    private const int SmallAliasLimit = 4096;

    private static HostProcess _host = null!;
    private static TempDirectory _directory = null!;
    private static HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-limits-");
        _host = await HostProcess.StartAsync(_directory.Sub("data"), new Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["Scep__Aliases__legacy__MaxMessageSize"] = SmallAliasLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        _http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
    }

    private static async Task<HttpStatusCode> PostAsync(string path, int length, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new NonSeekableStream(new byte[length]))
            : new ByteArrayContent(new byte[length]);
        using (content)
        {
            using var response = await _http.PostAsync(path + "?operation=PKIOperation", content);
            return response.StatusCode;
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Post_BodyAtTheLimit_IsReadAndRefusedAsNotAPkiMessage(bool chunked)
    {
        (await PostAsync("/scep/pkiclient.exe", DefaultLimit, chunked)).Should().Be(HttpStatusCode.BadRequest);
    }

    [TestCase(false, TestName = "Post_BodyOneByteOverTheLimitWithContentLength_Is413")]
    [TestCase(true, TestName = "Post_BodyOneByteOverTheLimitChunked_Is413")]
    public async Task Post_BodyOneByteOverTheLimit_Is413(bool chunked)
    {
        (await PostAsync("/scep/pkiclient.exe", DefaultLimit + 1, chunked)).Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Post_OverAnAliasOwnMaxMessageSize_Is413()
    {
        (await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit)).Should().Be(HttpStatusCode.BadRequest);
        (await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit + 1)).Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Get_MessageParameterOverTheRequestLineLimit_Is414()
    {
        using var atLimit = await _http.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 4000));
        using var over = await _http.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 9000));

        atLimit.StatusCode.Should().Be(HttpStatusCode.BadRequest, "it is read, and is not a pkiMessage");
        over.StatusCode.Should().Be(HttpStatusCode.RequestUriTooLong);
    }

    [Test]
    public async Task Get_MessageParameterOverAnAliasOwnLimit_Is414()
    {
        // 4096 decoded bytes are about 5,500 base64 characters: within Kestrel's line, over the alias's limit.
        using var response = await _http.GetAsync("/scep/legacy/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 7000));

        response.StatusCode.Should().Be(HttpStatusCode.RequestUriTooLong);
    }

    /// <summary>A stream without a length, so HttpClient sends the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
