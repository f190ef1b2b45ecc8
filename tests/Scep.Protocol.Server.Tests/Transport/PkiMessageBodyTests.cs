using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Transport;

/// <summary>
/// Issue 16 item 2: the PKIOperation body is read once, with the alias's <see cref="ScepAliasOptions.MaxMessageSize"/>
/// as the one limit (413 for POST, 414 for GET): from memory or from a stream, declared length or not, in one read or
/// byte by byte; never more than the limit plus one byte is read, and a pooled buffer carries nothing into the next request.
/// </summary>
public class PkiMessageBodyTests
{
    /// <summary>How the host hands the POST body over.</summary>
    public enum BodyMode
    {
        /// <summary><see cref="ScepHttpRequest.Body"/>.</summary>
        Memory,

        /// <summary><see cref="ScepHttpRequest.BodyStream"/> with <see cref="ScepHttpRequest.BodyLength"/> (Content-Length).</summary>
        StreamWithLength,

        /// <summary><see cref="ScepHttpRequest.BodyStream"/> without a length (chunked).</summary>
        StreamWithoutLength,

        /// <summary><see cref="ScepHttpRequest.BodyStream"/> without a length, one byte per read.</summary>
        OneBytePerRead,
    }

    private static readonly BodyMode[] StreamModes = [BodyMode.StreamWithLength, BodyMode.StreamWithoutLength, BodyMode.OneBytePerRead];

    private static string Text(ScepHttpResponse response) => Encoding.UTF8.GetString(response.Body.Span);

    /// <summary>A fresh client's PKCSReq to the test CA for the <c>ra</c> alias, signed at the harness's start.</summary>
    private static (PkiMessage Request, TestCredential Client, Pkcs10Request Csr) PkcsReq(string subject = "CN=device-1", int keySlot = 1) =>
        Scenario.PkcsReq(TestPki.Ca, subject: subject, challenge: "ra-secret", keySlot: keySlot);

    private static ServerHarness Server(int maxMessageSize) => ServerHarness.Create(o => o.Aliases["ra"].MaxMessageSize = maxMessageSize);

    private static ScepHttpRequest Post(byte[] body, BodyMode mode, out TestBodyStream? stream)
    {
        stream = mode switch
        {
            BodyMode.Memory => null,
            BodyMode.OneBytePerRead => new TestBodyStream(body, maxPerRead: 1),
            _ => new TestBodyStream(body),
        };
        return new ScepHttpRequest
        {
            Method = "POST",
            Alias = "ra",
            QueryString = "operation=PKIOperation",
            Body = mode == BodyMode.Memory ? body : default,
            BodyStream = stream,
            BodyLength = mode == BodyMode.StreamWithLength ? body.Length : null,
        };
    }

    private static async Task<ScepHttpResponse> PostAsync(ServerHarness server, byte[] body, BodyMode mode)
    {
        var response = await server.Handler.HandleAsync(Post(body, mode, out _), CancellationToken.None);
        return response;
    }

    private static X509Certificate2 IssuedFrom(PkiMessage reply, TestCredential client, Pkcs10Request csr)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(client.Certificate, client.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey)!;
    }

    [Test]
    public async Task Post_APkiMessageOfExactlyMaxMessageSize_IsReadAndIssued([Values] BodyMode mode)
    {
        var (request, client, csr) = PkcsReq();
        using var server = Server(request.RawData.Length);

        var response = await PostAsync(server, request.RawData.ToArray(), mode);

        IssuedFrom(server.ReplyFrom(response, request), client, csr).Subject.Should().Be("CN=device-1");
    }

    [Test]
    public async Task Post_JunkOfExactlyMaxMessageSize_IsReadAndRefused400AsNotAPkiMessage([Values] BodyMode mode)
    {
        using var server = Server(1024);
        var junk = Enumerable.Repeat((byte)0x30, 1024).ToArray();

        var response = await PostAsync(server, junk, mode);

        response.StatusCode.Should().Be(400);
        Text(response).Should().StartWith("The request is not a SCEP pkiMessage: ");
    }

    [Test]
    public async Task Post_OneByteOverMaxMessageSize_Is413WithTheReason_ReadingAtMostOneByteMore([Values] BodyMode mode)
    {
        var (request, _, _) = PkcsReq();
        var limit = request.RawData.Length - 1;
        using var server = Server(limit);

        var response = await server.Handler.HandleAsync(Post(request.RawData.ToArray(), mode, out var stream), CancellationToken.None);

        response.StatusCode.Should().Be(413);
        response.ContentType.Should().StartWith("text/plain");
        Text(response).Should().Be($"The message is larger than {limit} bytes.\n");
        server.Authority.IssuedCertificates.Should().BeEmpty();
        if (mode == BodyMode.StreamWithLength)
        {
            stream!.Reads.Should().Be(0, "a declared length over the limit is refused before anything is read");
        }
        else if (stream is not null)
        {
            stream.BytesRead.Should().Be(limit + 1);
        }
    }

    [Test]
    public async Task Post_DeclaredBodyLengthOverTheLimit_Is413WithoutReadingTheStream()
    {
        var (request, _, _) = PkcsReq();
        using var server = Server(1024);
        var stream = new TestBodyStream(request.RawData.ToArray());

        var response = await server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", BodyStream = stream, BodyLength = 1025 },
            CancellationToken.None);

        response.StatusCode.Should().Be(413);
        Text(response).Should().Be("The message is larger than 1024 bytes.\n");
        stream.Reads.Should().Be(0);
    }

    [TestCase(1)]
    [TestCase(100)]
    [TestCase(int.MaxValue)]
    public async Task Post_EndlessStreamOfUnknownLength_Is413AfterReadingAtMostLimitPlusOneBytes(int bytesPerRead)
    {
        using var server = Server(4096);
        var stream = new TestBodyStream([0x30, 0x80, 0x01], bytesPerRead, endless: true);

        var response = await server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", BodyStream = stream }, CancellationToken.None);

        response.StatusCode.Should().Be(413);
        stream.BytesRead.Should().Be(4097, "one byte past the limit tells a body that is too large from one that fills it");
    }

    [Test]
    public async Task Post_DeclaredLengthShorterThanTheBody_StillStopsReadingOneBytePastTheLimit()
    {
        using var server = Server(2048);
        var stream = new TestBodyStream([0x30], endless: true);

        var response = await server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", BodyStream = stream, BodyLength = 100 },
            CancellationToken.None);

        response.StatusCode.Should().Be(413, "a Content-Length that lies does not lift the limit");
        stream.BytesRead.Should().Be(2049);
    }

    [Test]
    public async Task Post_NegativeBodyLength_MeansUnknown_AndTheStreamIsStillRead()
    {
        // HttpListenerRequest.ContentLength64 (and other hosts' content lengths) are -1 when the body is chunked.
        var (request, client, csr) = PkcsReq();
        using var server = ServerHarness.Create();
        var stream = new TestBodyStream(request.RawData.ToArray());

        var response = await server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = "operation=PKIOperation", BodyStream = stream, BodyLength = -1 },
            CancellationToken.None);

        IssuedFrom(server.ReplyFrom(response, request), client, csr).Subject.Should().Be("CN=device-1");
        stream.BytesRead.Should().Be(request.RawData.Length);
    }

    [Test]
    public async Task Post_StreamDeliveringOneBytePerRead_GetsTheSameAnswerAsTheSameBytesInMemory()
    {
        var (request, client, csr) = PkcsReq();
        using var server = ServerHarness.Create();
        var junk = Encoding.ASCII.GetBytes("0\u0082 this is not DER at all");

        var trickled = await PostAsync(server, request.RawData.ToArray(), BodyMode.OneBytePerRead);
        var inMemory = await PostAsync(server, request.RawData.ToArray(), BodyMode.Memory);
        var junkTrickled = await PostAsync(server, junk, BodyMode.OneBytePerRead);
        var junkInMemory = await PostAsync(server, junk, BodyMode.Memory);

        var first = IssuedFrom(server.ReplyFrom(trickled, request), client, csr);
        var second = IssuedFrom(server.ReplyFrom(inMemory, request), client, csr);
        second.RawData.Should().Equal(first.RawData, "the same transaction was read both times: the re-send is answered from the record");
        server.Authority.IssuedCertificates.Should().ContainSingle();
        junkTrickled.StatusCode.Should().Be(400);
        Text(junkTrickled).Should().Be(Text(junkInMemory));
    }

    [Test]
    public async Task Post_SequentialStreamedBodies_APrefixOfTheFirstIsNotReadAsTheFirst()
    {
        // Both bodies fit the same pooled buffer size; if the pipeline read past the second body's end, the
        // truncated copy would be seen whole (the first request's bytes are still in the rented array).
        var (request, client, csr) = PkcsReq();
        using var server = ServerHarness.Create();
        var whole = request.RawData.ToArray();

        var first = await PostAsync(server, whole, BodyMode.StreamWithoutLength);
        var truncated = await PostAsync(server, whole[..^16], BodyMode.StreamWithoutLength);
        var truncatedWithLength = await PostAsync(server, whole[..^16], BodyMode.StreamWithLength);

        IssuedFrom(server.ReplyFrom(first, request), client, csr);
        truncated.StatusCode.Should().Be(400, Text(truncated));
        truncatedWithLength.StatusCode.Should().Be(400, Text(truncatedWithLength));
    }

    [Test]
    public async Task Post_SequentialStreamedBodies_AShorterSecondRequestGetsItsOwnAnswer([ValueSource(nameof(StreamModes))] BodyMode mode)
    {
        using var server = ServerHarness.Create();
        var longJunk = Enumerable.Repeat((byte)0x5A, 16_000).ToArray();
        longJunk[0] = 0x30;
        var (request, client, csr) = PkcsReq("CN=second-device", keySlot: 2);

        var first = await PostAsync(server, longJunk, mode);
        var second = await PostAsync(server, request.RawData.ToArray(), mode);

        first.StatusCode.Should().Be(400);
        IssuedFrom(server.ReplyFrom(second, request), client, csr).Subject.Should().Be("CN=second-device");
    }

    [Test]
    public async Task Post_EmptyStream_Is400AsNotAPkiMessage([Values(BodyMode.StreamWithLength, BodyMode.StreamWithoutLength)] BodyMode mode)
    {
        using var server = ServerHarness.Create();

        var response = await PostAsync(server, [], mode);

        response.StatusCode.Should().Be(400);
        Text(response).Should().StartWith("The request is not a SCEP pkiMessage: ");
    }

    [Test]
    public async Task Post_StreamWhenTheClientWentAway_IsCancelled_NotAnswered500()
    {
        var (request, _, _) = PkcsReq();
        using var server = ServerHarness.Create();
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        var handle = async () => await server.Handler.HandleAsync(Post(request.RawData.ToArray(), BodyMode.StreamWithoutLength, out _), gone.Token);

        await handle.Should().ThrowAsync<OperationCanceledException>();
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task Get_AMessageOfExactlyMaxMessageSize_IsIssued()
    {
        var (request, client, csr) = PkcsReq();
        using var server = Server(request.RawData.Length);

        var response = await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), "ra");

        IssuedFrom(server.ReplyFrom(response, request), client, csr).Subject.Should().Be("CN=device-1");
    }

    [Test]
    public async Task Get_AMessageOneByteOverMaxMessageSize_Is414WithTheReason()
    {
        var (request, _, _) = PkcsReq();
        using var server = Server(request.RawData.Length - 1);

        var response = await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), "ra");

        response.StatusCode.Should().Be(414);
        Text(response).Should().StartWith("The 'message' parameter is not usable: ").And.Contain("larger than the limit");
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [TestCase("%ZZ")]
    [TestCase("@@@@")]
    [TestCase("QUJDR")]
    public async Task Get_AnUnusableMessage_Is400WithTheReason(string message)
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync("operation=PKIOperation&message=" + message, "ra");

        response.StatusCode.Should().Be(400);
        Text(response).Should().StartWith("The 'message' parameter is not usable: ");
    }

    [TestCase("operation=PKIOperation")]
    [TestCase("operation=PKIOperation&message=")]
    public async Task Get_WithoutAMessage_Is400SayingItIsNeeded(string query)
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync(query, "ra");

        response.StatusCode.Should().Be(400);
        Text(response).Should().Be("PKIOperation by GET needs the 'message' parameter.\n");
    }

    [Test]
    public async Task Post_BodyStreamFailingMidway_Is400_NotA500()
    {
        using var server = ServerHarness.Create();

        var response = await server.Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", QueryString = "operation=PKIOperation", BodyStream = new BrokenStream(), BodyLength = 4096 }, CancellationToken.None);

        response.StatusCode.Should().Be(400);
        System.Text.Encoding.UTF8.GetString(response.Body.Span).Should().Be("The request body could not be read to its end.\n");
    }

    private sealed class BrokenStream : System.IO.MemoryStream
    {
        public override System.Threading.Tasks.ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new System.IO.IOException("The connection was reset.");
    }
}
