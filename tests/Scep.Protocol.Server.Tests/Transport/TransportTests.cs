using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Transport;

/// <summary>Issue point 8: GET encodings real clients send, operation names, methods, and capabilities (reference §2, §3.1).</summary>
public class TransportTests
{
    /// <summary>The ways clients put base64 in the query, each applied to the correct standard base64.</summary>
    private static readonly Dictionary<string, Func<string, string>> Encodings = new()
    {
        ["Rfc3986Escaped"] = b64 => Uri.EscapeDataString(b64),
        ["PlusAsSpace_iOS"] = b64 => b64.Replace('+', ' ').Replace("/", "%2F").Replace("=", "%3D"),
        ["PlusAsPercent20"] = b64 => b64.Replace("+", "%20").Replace("/", "%2F").Replace("=", "%3D"),
        ["PlusAndSlashRawEqualsEscaped_macOS"] = b64 => b64.Replace("=", "%3D"),
        ["NothingEscaped"] = b64 => b64,
        ["PercentLineBreaksEvery64_Cisco"] = b64 => string.Join("%0A", Chunks(b64, 64)).Replace("+", "%2B"),
        ["CrLfLineBreaksEvery64"] = b64 => string.Join("\r\n", Chunks(b64, 64)).Replace("+", "%2B"),
        ["EscapedCrLfLineBreaksEvery64"] = b64 => string.Join("%0D%0A", Chunks(b64, 64).Select(Uri.EscapeDataString)),
        ["UrlSafeAlphabet"] = b64 => b64.Replace('+', '-').Replace('/', '_'),
        ["UrlSafeWithoutPadding"] = b64 => b64.Replace('+', '-').Replace('/', '_').TrimEnd('='),
        ["StandardWithoutPadding"] = b64 => Uri.EscapeDataString(b64.TrimEnd('=')),
        ["LowerCasePercentEscapes"] = b64 => Uri.EscapeDataString(b64).Replace("%2B", "%2b").Replace("%2F", "%2f").Replace("%3D", "%3d"),
    };

    private static IEnumerable<string> EncodingNames => Encodings.Keys;

    private static IEnumerable<string> Chunks(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    /// <summary>A request whose base64 contains '+', '/' and '=' padding, so every encoding has something to mangle.</summary>
    private static (EnrollingClient Client, PkiMessage Request, string Base64) AwkwardRequest(ServerHarness server)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var client = server.NewClient("CN=device-1", "ra-secret", transactionId: "tid-" + new string('x', attempt % 3) + attempt);
            var request = client.PkcsReq();
            var base64 = Convert.ToBase64String(request.RawData.Span);
            if (base64.Contains('+') && base64.Contains('/') && base64.EndsWith('='))
            {
                return (client, request, base64);
            }
        }

        throw new InvalidOperationException("no request with '+', '/' and padding in 60 attempts");
    }

    [TestCaseSource(nameof(EncodingNames))]
    public async Task GetPkiOperation_WithTheMessageEncodedAsClientsDo_IsIssued(string encoding)
    {
        using var server = ServerHarness.Create();
        var (client, request, base64) = AwkwardRequest(server);

        var response = await server.GetAsync("operation=PKIOperation&message=" + Encodings[encoding](base64), "ra");

        client.IssuedFrom(server.ReplyFrom(response, request)).Subject.Should().Be("CN=device-1");
    }

    [Test]
    public async Task GetPkiOperation_TheSameRequestInEveryEncoding_GetsTheSameCertificate()
    {
        using var server = ServerHarness.Create();
        var (client, request, base64) = AwkwardRequest(server);
        var certificates = new List<byte[]>();

        foreach (var encode in Encodings.Values)
        {
            var response = await server.GetAsync("operation=PKIOperation&message=" + encode(base64), "ra");
            certificates.Add(client.IssuedFrom(server.ReplyFrom(response, request)).RawData);
        }

        certificates.Should().AllSatisfy(c => c.Should().Equal(certificates[0]));
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task GetPkiOperation_MessageBeforeOperationAndExtraParameters_IsIssued()
    {
        using var server = ServerHarness.Create();
        var (client, request, base64) = AwkwardRequest(server);

        var response = await server.GetAsync("?message=" + Uri.EscapeDataString(base64) + "&foo=bar&operation=PKIOperation", "ra");

        client.IssuedFrom(server.ReplyFrom(response, request)).Should().NotBeNull();
    }

    [TestCase(null, TestName = "GetCaCert_WithoutMessage_ReturnsTheAliasCa")]
    [TestCase("", TestName = "GetCaCert_WithAnEmptyMessage_ReturnsTheAliasCa")]
    [TestCase("CAIdentifier", TestName = "GetCaCert_WithTheLiteralCAIdentifier_ReturnsTheAliasCa")]
    [TestCase("default", TestName = "GetCaCert_WithThePlainCaName_ReturnsTheAliasCa")]
    [TestCase("DEFAULT", TestName = "GetCaCert_WithTheCaNameInCapitals_ReturnsTheAliasCa")]
    [TestCase("Scep+Test+CA", TestName = "GetCaCert_WithAFormEncodedUnknownName_FallsBackToTheAliasCa")]
    [TestCase("*", TestName = "GetCaCert_WithAStar_FallsBackToTheAliasCa")]
    public async Task GetCaCert_MessageIsOnlyAHint(string? message)
    {
        using var server = ServerHarness.Create();
        var query = message is null ? "operation=GetCACert" : "operation=GetCACert&message=" + message;

        var cert = await server.GetAsync(query);
        var caps = await server.GetAsync(query.Replace("GetCACert", "GetCACaps"));

        cert.StatusCode.Should().Be(200);
        cert.ContentType.Should().Be(ScepContentTypes.CaCertificate);
        cert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        caps.StatusCode.Should().Be(200);
        caps.ContentType.Should().Be(ScepContentTypes.Capabilities);
    }

    [TestCase("getcacert")]
    [TestCase("GETCACERT")]
    [TestCase("GetCaCert")]
    public async Task GetCaCert_OperationNameInAnyCase_IsServed(string operation)
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync("operation=" + operation);

        response.StatusCode.Should().Be(200);
        response.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
    }

    [TestCase("getcacaps")]
    [TestCase("GETCACAPS")]
    public async Task GetCaCaps_OperationNameInAnyCase_IsServed(string operation)
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync("operation=" + operation);

        CaCapabilities.Parse(Encoding.ASCII.GetString(response.Body.Span)).Supports(CaCapability.Aes).Should().BeTrue();
    }

    [TestCase("PKIOPERATION", false)]
    [TestCase("pkioperation", false)]
    [TestCase("PkiOperation", true)]
    [TestCase("pkiOPERATION", true)]
    public async Task PkiOperation_OperationNameInAnyCase_IsServed(string operation, bool usePost)
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = client.PkcsReq();

        var response = usePost
            ? await server.PostAsync(request.RawData, "ra", "operation=" + operation)
            : await server.GetAsync("operation=" + operation + "&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), "ra");

        server.ReplyFrom(response, request).Status.Should().Be(PkiStatus.Success);
    }

    [TestCase("operation=PKIOperation")]
    [TestCase("")]
    [TestCase(null)]
    [TestCase("?operation=PKIOperation&message=ignored")]
    public async Task Post_WithOrWithoutTheOperationParameter_IsAPkiOperation(string? query)
    {
        using var server = ServerHarness.Create();
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();

        var response = await server.Handler.HandleAsync(new ScepHttpRequest { Method = "POST", Alias = "ra", QueryString = query, Body = request.RawData }, default);

        server.ReplyFrom(response, request).Status.Should().Be(PkiStatus.Success);
    }

    [TestCase("GetCACert")]
    [TestCase("GetCACaps")]
    [TestCase("GetNextCACert")]
    public async Task Post_OfAGetOperation_Is405(string operation)
    {
        using var server = ServerHarness.Create();

        var response = await server.PostAsync(new byte[] { 0x30, 0x00 }, "ra", "operation=" + operation);

        response.StatusCode.Should().Be(405);
    }

    [TestCase("PUT")]
    [TestCase("DELETE")]
    public async Task OtherMethods_Are405(string method)
    {
        using var server = ServerHarness.Create();

        var response = await server.Handler.HandleAsync(new ScepHttpRequest { Method = method, QueryString = "operation=GetCACert" }, default);

        response.StatusCode.Should().Be(405);
    }

    [Test]
    public async Task GetCaCaps_DefaultAlias_AdvertisesExactlyWhatItDoes()
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync("operation=GetCACaps");

        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString(response.Body.Span));
        caps.Advertised.Should().BeEquivalentTo(new[]
        {
            CaCapability.Aes, CaCapability.Des3, CaCapability.PostPkiOperation, CaCapability.Sha1, CaCapability.Sha256,
            CaCapability.Sha512, CaCapability.ScepStandard,
        });
        caps.OtherKeywords.Should().BeEmpty();
    }

    [Test]
    public async Task GetCaCaps_FollowsTheAliasOptions()
    {
        using var server = ServerHarness.Create(o =>
        {
            var alias = o.Aliases["ra"];
            alias.AllowRenewal = true;
            alias.EncryptionAlgorithms.Clear();
            alias.EncryptionAlgorithms.Add(ContentEncryptionAlgorithm.TripleDesCbc);
            alias.DigestAlgorithms.Clear();
            alias.DigestAlgorithms.Add(ScepDigest.Sha1);
        });

        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "ra")).Body.Span));

        caps.Advertised.Should().BeEquivalentTo(new[] { CaCapability.Des3, CaCapability.PostPkiOperation, CaCapability.Renewal, CaCapability.Sha1 });
    }

    private static IEnumerable<TestCaseData> ScepStandardCases()
    {
        yield return new TestCaseData((Action<ScepAliasOptions>)(_ => { }), true).SetName("ScepStandard_WithAesPostAndSha256_IsAdvertised");
        yield return new TestCaseData((Action<ScepAliasOptions>)(a => a.Disallow(ContentEncryptionAlgorithm.Aes128Cbc)), false).SetName("ScepStandard_WithoutAes128_IsNotAdvertised");
        yield return new TestCaseData((Action<ScepAliasOptions>)(a => a.AllowPost = false), false).SetName("ScepStandard_WithoutPost_IsNotAdvertised");
        yield return new TestCaseData((Action<ScepAliasOptions>)(a => a.Disallow(ScepDigest.Sha256)), false).SetName("ScepStandard_WithoutSha256_IsNotAdvertised");
        yield return new TestCaseData((Action<ScepAliasOptions>)(a => a.AllowAlso(ContentEncryptionAlgorithm.DesCbc)), false).SetName("ScepStandard_WithDesAllowed_IsNotAdvertised");
        yield return new TestCaseData((Action<ScepAliasOptions>)(a => a.AllowAlso(ScepDigest.Md5)), false).SetName("ScepStandard_WithMd5Allowed_IsNotAdvertised");
    }

    [TestCaseSource(nameof(ScepStandardCases))]
    public async Task ScepStandard_OnlyWhenTheAliasMeetsRfc8894(Action<ScepAliasOptions> configure, bool expected)
    {
        using var server = ServerHarness.Create(o => configure(o.Aliases["ra"]));

        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "ra")).Body.Span));

        caps.Advertised.Contains(CaCapability.ScepStandard).Should().Be(expected);
    }

    [Test]
    public async Task GetCaCaps_OnAliasesWithDifferentOptions_DiffersPerAlias()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowPost = false);

        var scep = Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "scep")).Body.Span);
        var ra = Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "ra")).Body.Span);

        scep.Should().Contain("POSTPKIOperation");
        ra.Should().NotContain("POSTPKIOperation");
    }
}
