using System.Globalization;
using System.Net.Http;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// Issue 7, limits at the HTTP edge, through Kestrel: the request body (MapScep reads at most the largest alias's
/// MaxMessageSize, with or without Content-Length), an alias's own MaxMessageSize, and the GET <c>message</c>
/// parameter (Kestrel's request-line limit, 8 KiB by default, comes first). Each just over the bound.
/// </summary>
/// <remarks>
/// Moved from tests/Scep.SampleHost.Tests/Interop/MessageSizeLimitTests.cs (there against the sample host process,
/// whose <c>legacy</c> alias was given the small limit), with the same requests and status codes; the bodies and
/// content types of the answers are pinned as well.
/// </remarks>
public class BodyLimitTests
{
    private const int DefaultLimit = 128 * 1024;
    private const int SmallAliasLimit = 4096;
    private const string PlainText = "text/plain; charset=utf-8";
    private const string NotAPkiMessage = "The request is not a SCEP pkiMessage: The message does not start with a SEQUENCE.\n";

    private ScepKestrelHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync(
        configure: options => options.Aliases["legacy"] = new Server.ScepAliasOptions { MaxMessageSize = SmallAliasLimit });

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    private static string TooLarge(int limit) => $"The message is larger than {limit.ToString(CultureInfo.InvariantCulture)} bytes.\n";

    private Task<HttpAnswer> PostAsync(string path, int length, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new MethodTests.UnseekableStream(new byte[length]))
            : new ByteArrayContent(new byte[length]);
        return _host.SendAsync(HttpMethod.Post, path + "?operation=PKIOperation", content);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Post_BodyAtTheLimit_IsReadAndRefusedAsNotAPkiMessage(bool chunked)
    {
        var answer = await PostAsync("/scep/pkiclient.exe", DefaultLimit, chunked);

        answer.Status.Should().Be(400);
        answer.Text.Should().Be(NotAPkiMessage);
    }

    [TestCase(false, TestName = "Post_BodyOneByteOverTheLimitWithContentLength_Is413")]
    [TestCase(true, TestName = "Post_BodyOneByteOverTheLimitChunked_Is413")]
    public async Task Post_BodyOneByteOverTheLimit_Is413(bool chunked)
    {
        var answer = await PostAsync("/scep/pkiclient.exe", DefaultLimit + 1, chunked);

        answer.Status.Should().Be(413);
        answer.ContentType.Should().Be(PlainText);
        answer.Text.Should().Be(TooLarge(DefaultLimit));
    }

    /// <summary>
    /// With Content-Length, four times the limit (refused before reading; Kestrel then drains the body). Chunked, 48 KiB
    /// over: more than one of MapScep's reads beyond the limit, yet within the backstop it sets on Kestrel (limit +
    /// 64 KiB), so that Kestrel can drain the rest and the answer is not lost to a reset connection.
    /// </summary>
    [TestCase(false, 4 * DefaultLimit, TestName = "Post_BodyFarOverTheLimitWithContentLength_Is413")]
    [TestCase(true, DefaultLimit + (48 * 1024), TestName = "Post_BodyFarOverTheLimitChunked_Is413")]
    public async Task Post_BodyFarOverTheLimit_Is413(bool chunked, int length)
    {
        var answer = await PostAsync("/scep/pkiclient.exe", length, chunked);
        var next = await _host.GetAsync("/scep/pkiclient.exe?operation=GetCACaps");

        answer.Status.Should().Be(413);
        answer.Text.Should().Be(TooLarge(DefaultLimit));
        next.Status.Should().Be(200, "the server goes on serving");
    }

    [Test]
    public async Task Post_OverAnAliasOwnMaxMessageSize_Is413()
    {
        var atLimit = await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit);
        var over = await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit + 1);

        atLimit.Status.Should().Be(400);
        over.Status.Should().Be(413);
        over.ContentType.Should().Be(PlainText);
        over.Text.Should().Be(TooLarge(SmallAliasLimit), "the alias's own limit is named, not the endpoint's");
    }

    [Test]
    public async Task Post_OverAnAliasOwnMaxMessageSizeChunked_Is413()
    {
        var atLimit = await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit, chunked: true);
        var over = await PostAsync("/scep/legacy/pkiclient.exe", SmallAliasLimit + 1, chunked: true);

        atLimit.Status.Should().Be(400);
        over.Status.Should().Be(413);
        over.Text.Should().Be(TooLarge(SmallAliasLimit));
    }

    [Test]
    public async Task Get_MessageParameterOverTheRequestLineLimit_Is414()
    {
        var atLimit = await _host.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 4000));
        var over = await _host.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 9000));

        atLimit.Status.Should().Be(400, "it is read, and is not a pkiMessage");
        atLimit.Text.Should().Be(NotAPkiMessage);
        over.Status.Should().Be(414);
        over.Body.Should().BeEmpty("Kestrel refuses the request line before any endpoint runs");
    }

    [Test]
    public async Task Get_MessageParameterOverAnAliasOwnLimit_Is414()
    {
        // 4096 decoded bytes are about 5,500 base64 characters: within Kestrel's line, over the alias's limit.
        var answer = await _host.GetAsync("/scep/legacy/pkiclient.exe?operation=PKIOperation&message=" + new string('A', 7000));

        answer.Status.Should().Be(414);
        answer.ContentType.Should().Be(PlainText);
        answer.Text.Should().Be("The 'message' parameter is not usable: The decoded message is larger than the limit.\n");
    }

    [Test]
    public async Task Post_EachAliasKeepsItsOwnLimit_AlsoBeyondTheLargestOne()
    {
        await using var host = await ScepKestrelHost.StartAsync(configure: options =>
        {
            foreach (var alias in options.Aliases.Values)
            {
                alias.MaxMessageSize = 8192;
            }

            options.Aliases["tiny"] = new Server.ScepAliasOptions { MaxMessageSize = 2048 };
        });

        var overTiny = await host.SendAsync(HttpMethod.Post, "/scep/tiny/pkiclient.exe?operation=PKIOperation", new ByteArrayContent(new byte[3000]));
        var overEndpoint = await host.SendAsync(HttpMethod.Post, "/scep/tiny/pkiclient.exe?operation=PKIOperation", new ByteArrayContent(new byte[8193]));
        var withinOthers = await host.SendAsync(HttpMethod.Post, "/scep/pkiclient.exe?operation=PKIOperation", new ByteArrayContent(new byte[8192]));

        (overTiny.Status, overTiny.Text).Should().Be((413, TooLarge(2048)), "the pipeline checks the alias's limit");
        (overEndpoint.Status, overEndpoint.Text).Should().Be((413, TooLarge(2048)), "one size check, the pipeline's, with the alias's limit (issue 16)");
        (withinOthers.Status, withinOthers.Text).Should().Be((400, NotAPkiMessage));
    }
}
