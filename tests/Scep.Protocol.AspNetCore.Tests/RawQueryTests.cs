using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// MapScep hands the pipeline the query exactly as it came over the wire (Request.QueryString, never the form-decoded
/// Request.Query): a GET PKIOperation's base64 <c>message</c> in every form clients send it reaches the codec intact,
/// and parameters are read once.
/// </summary>
public class RawQueryTests
{
    /// <summary>How clients put base64 into the query, from the correct standard base64. Kestrel sees these characters as they are.</summary>
    private static readonly Dictionary<string, Func<string, string>> Encodings = new()
    {
        ["PlusAndSlashUnescaped"] = b64 => b64,
        ["PlusAndSlashUnescapedPaddingEscaped"] = b64 => b64.Replace("=", "%3D", StringComparison.Ordinal),
        ["EverythingEscaped"] = Uri.EscapeDataString,
        ["EscapesInLowerCase"] = b64 => Uri.EscapeDataString(b64).Replace("%2B", "%2b", StringComparison.Ordinal).Replace("%2F", "%2f", StringComparison.Ordinal).Replace("%3D", "%3d", StringComparison.Ordinal),
        ["PlusAsEscapedSpace"] = b64 => b64.Replace("+", "%20", StringComparison.Ordinal),
        ["PlusAsPercent2BSlashRaw"] = b64 => b64.Replace("+", "%2B", StringComparison.Ordinal),
        ["LineBreakEvery64"] = b64 => string.Join("%0A", Lines(b64)),
        ["CrLfEvery64"] = b64 => string.Join("%0D%0A", Lines(b64)),
        ["UrlSafeAlphabetUnpadded"] = b64 => b64.Replace('+', '-').Replace('/', '_').TrimEnd('='),
    };

    private ScepKestrelHost _host = null!;

    private static IEnumerable<string> EncodingNames => Encodings.Keys;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    private static IEnumerable<string> Lines(string text)
    {
        for (var i = 0; i < text.Length; i += 64)
        {
            yield return text.Substring(i, Math.Min(64, text.Length - i));
        }
    }

    /// <summary>A PKCSReq whose base64 has '+', '/' and '=' padding, so that every encoding has something to change.</summary>
    private static (Enrollee Enrollee, string Base64) AwkwardRequest(int keySlot)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var enrollee = Enrollee.Create("CN=raw-query-" + keySlot, keySlot: keySlot, transactionId: $"raw-query-{keySlot}-{attempt}");
            var base64 = Convert.ToBase64String(enrollee.Request.RawData.Span);
            if (base64.Contains('+', StringComparison.Ordinal) && base64.Contains('/', StringComparison.Ordinal) && base64.EndsWith('='))
            {
                return (enrollee, base64);
            }
        }

        throw new InvalidOperationException("no request with '+', '/' and padding in 100 attempts");
    }

    [TestCaseSource(nameof(EncodingNames))]
    public async Task GetPkiOperation_MessageEncodedAsClientsDo_ReachesThePipelineIntactAndIsIssued(string encoding)
    {
        var (enrollee, base64) = AwkwardRequest(keySlot: 3);
        var query = "?operation=PKIOperation&message=" + Encodings[encoding](base64);
        new Uri(_host.BaseAddress, "/scep/ra/pkiclient.exe" + query).Query.Should().Be(query, "the client sends the query as written");

        var answer = await _host.GetAsync("/scep/ra/pkiclient.exe" + query);

        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=raw-query-3");
    }

    [Test]
    public async Task GetPkiOperation_OneRequestInEveryEncoding_IsOneTransactionWithOneCertificate()
    {
        var (enrollee, base64) = AwkwardRequest(keySlot: 4);
        var certificates = new List<byte[]>();

        foreach (var encode in Encodings.Values)
        {
            var answer = await _host.GetAsync("/scep/ra/pkiclient.exe?operation=PKIOperation&message=" + encode(base64));
            certificates.Add(enrollee.IssuedFrom(answer).RawData);
        }

        certificates.Should().AllSatisfy(c => c.Should().Equal(certificates[0]));
        enrollee.IssuedCount(_host).Should().Be(1, "the pipeline saw the same pkiMessage every time");
    }

    [Test]
    public async Task GetPkiOperation_MessageFirstAndUnknownParameters_IsIssued()
    {
        var (enrollee, base64) = AwkwardRequest(keySlot: 5);

        var answer = await _host.GetAsync("/scep/ra/pkiclient.exe?message=" + Uri.EscapeDataString(base64) + "&x=%2B%2B&operation=PKIOperation");

        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=raw-query-5");
    }

    [Test]
    public async Task Query_ReachesThePipelineUndecoded_TheOperationIsDecodedExactlyOnce()
    {
        // %2541 decodes once to "%41"; decoded twice it would be "A" and the operation GetCACapsA.
        new Uri(_host.BaseAddress, "/scep/pkiclient.exe?operation=GetCACaps%2541").Query.Should().Be("?operation=GetCACaps%2541");

        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=GetCACaps%2541");

        answer.Status.Should().Be(400);
        answer.Text.Should().Be("Unknown operation 'GetCACaps%41'.\n");
    }

    [Test]
    public async Task Operation_FormEncodedWithSpacesAround_IsDecodedAndTrimmed()
    {
        const string query = "?operation=%20GetCACaps+";
        new Uri(_host.BaseAddress, "/scep/pkiclient.exe" + query).Query.Should().Be(query, "the client sends the escape as written");

        var answer = await _host.GetAsync("/scep/pkiclient.exe" + query);

        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(ScepContentTypes.Capabilities);
    }

    [TestCase("getcacaps", ScepContentTypes.Capabilities)]
    [TestCase("GETCACAPS", ScepContentTypes.Capabilities)]
    [TestCase("GetCaCaps", ScepContentTypes.Capabilities)]
    [TestCase("getcacert", ScepContentTypes.CaCertificate)]
    [TestCase("GETCACERTCHAIN", ScepContentTypes.CaRaCertificateChain)]
    public async Task Operation_InAnyCase_IsAnswered(string operation, string contentType)
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=" + operation);

        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(contentType);
    }

    [Test]
    public async Task OperationParameterName_InCapitals_IsRead()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?OPERATION=GetCACaps");

        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(ScepContentTypes.Capabilities);
    }

    [Test]
    public async Task PkiOperation_InLowerCase_ByGetAndByPost_IsIssued()
    {
        var byGet = Enrollee.Create("CN=lower-case-get", keySlot: 6);
        var byPost = Enrollee.Create("CN=lower-case-post", keySlot: 7);

        var getAnswer = await _host.GetAsync("/scep/ra/pkiclient.exe?operation=pkioperation&message=" + Uri.EscapeDataString(Convert.ToBase64String(byGet.Request.RawData.Span)));
        var postAnswer = await _host.PostAsync("/scep/ra/pkiclient.exe?operation=pkioperation", byPost.Request.RawData);

        byGet.IssuedFrom(getAnswer).Subject.Should().Be("CN=lower-case-get");
        byPost.IssuedFrom(postAnswer).Subject.Should().Be("CN=lower-case-post");
    }

    [Test]
    public async Task GetPkiOperation_MessageWithACharacterOutsideBase64_Is400WithThePlainReason()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=!!!");

        answer.Status.Should().Be(400);
        answer.ContentType.Should().Be("text/plain; charset=utf-8");
        answer.Text.Should().Be("The 'message' parameter is not usable: The message parameter contains a character that is not base64.\n");
    }

    [Test]
    public async Task GetPkiOperation_ValidBase64ThatIsNoPkiMessage_Is400WithTheCodecsReason()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=PKIOperation&message=AAAA");

        answer.Status.Should().Be(400);
        answer.Text.Should().Be("The request is not a SCEP pkiMessage: The message does not start with a SEQUENCE.\n");
    }
}
