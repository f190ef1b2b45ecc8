using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// The Content-Type and Content-Length MapScep writes for every kind of answer (RFC 8894 §4), and the exact status
/// and plain-text body of every refusal that travels as an HTTP error rather than as a CertRep.
/// </summary>
public class ContentTypeTests
{
    private const string PlainText = "text/plain; charset=utf-8";

    private ScepKestrelHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync(
        configure: options => options.Aliases["orphan"] = new Server.ScepAliasOptions { CaName = "not-registered" });

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    [Test]
    public async Task GetCaCaps_IsTextPlainWithOneKeywordPerLine()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=GetCACaps");

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("text/plain");
        answer.ContentLength.Should().Be(answer.Body.Length);
        answer.Text.Should().Be("AES\nDES3\nPOSTPKIOperation\nSHA-1\nSHA-256\nSHA-512\nSCEPStandard\n");
    }

    [Test]
    public async Task GetCaCert_CaAlone_IsTheDerCertificateAsX509CaCert()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=GetCACert");

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("application/x-x509-ca-cert");
        answer.ContentLength.Should().Be(answer.Body.Length);
        answer.Body.Should().Equal(HostPki.Ca.Certificate.RawData);
    }

    [Test]
    public async Task GetCaCert_WithRaCertificates_IsACertificatesOnlySignedDataAsX509CaRaCert()
    {
        var answer = await _host.GetAsync("/scep/with-ra/pkiclient.exe?operation=GetCACert");

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("application/x-x509-ca-ra-cert");
        answer.ContentLength.Should().Be(answer.Body.Length);
        CaCertificates.Decode(answer.Body).Certificates.Select(c => c.Thumbprint)
            .Should().BeEquivalentTo([HostPki.Ra.Certificate.Thumbprint, HostPki.Ca.Certificate.Thumbprint]);
    }

    [Test]
    public async Task GetCaCertChain_IsX509CaRaCertChain()
    {
        var answer = await _host.GetAsync("/scep/pkiclient.exe?operation=GetCACertChain");

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("application/x-x509-ca-ra-cert-chain");
        DegenerateCertificateSet.Decode(answer.Body).Certificates.Should().ContainSingle().Which.RawData.Should().Equal(HostPki.Ca.Certificate.RawData);
    }

    [Test]
    public async Task GetNextCaCert_DuringARollover_IsX509NextCaCertSignedByTheCurrentCa()
    {
        var answer = await _host.GetAsync("/scep/rolling/pkiclient.exe?operation=GetNextCACert");

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("application/x-x509-next-ca-cert");
        var next = NextCaCertificates.Decode(answer.Body);
        next.VerifySignature([HostPki.Ca.Certificate]);
        next.Next.Certificates.Should().ContainSingle().Which.RawData.Should().Equal(HostPki.NextCa.Certificate.RawData);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task PkiOperation_Issued_IsX509PkiMessage(bool usePost)
    {
        var enrollee = Enrollee.Create("CN=content-type-" + usePost, keySlot: usePost ? 8 : 9);

        var answer = usePost
            ? await _host.PostAsync("/scep/ra/pkiclient.exe?operation=PKIOperation", enrollee.Request.RawData)
            : await _host.GetAsync("/scep/ra/pkiclient.exe?operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(enrollee.Request.RawData.Span));

        answer.ContentType.Should().Be("application/x-pki-message");
        answer.ContentLength.Should().Be(answer.Body.Length);
        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=content-type-" + usePost);
    }

    [Test]
    public async Task PkiOperation_Refused_IsASignedFailureCertRepWithHttp200AndX509PkiMessage()
    {
        var enrollee = Enrollee.Create("CN=wrong-challenge", challenge: "not-the-challenge", keySlot: 10);

        var answer = await _host.PostAsync("/scep/ra/pkiclient.exe?operation=PKIOperation", enrollee.Request.RawData);

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("application/x-pki-message");
        var reply = enrollee.ReplyFrom(answer);
        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [TestCase("GET", "/scep/pkiclient.exe", 400, "The 'operation' parameter is missing.", TestName = "Error_NoOperation_Is400")]
    [TestCase("GET", "/scep/pkiclient.exe?operation=Nope", 400, "Unknown operation 'Nope'.", TestName = "Error_UnknownOperation_Is400")]
    [TestCase("GET", "/scep/pkiclient.exe?operation=PKIOperation", 400, "PKIOperation by GET needs the 'message' parameter.", TestName = "Error_GetPkiOperationWithoutMessage_Is400")]
    [TestCase("GET", "/scep/pkiclient.exe?operation=GetNextCACert", 404, "No next CA certificate is configured (no CA rollover in progress).", TestName = "Error_GetNextCaCertWithoutRollover_Is404")]
    [TestCase("GET", "/scep/post-only/pkiclient.exe?operation=PKIOperation&message=AAAA", 405, "This alias accepts PKIOperation only by POST.", TestName = "Error_GetPkiOperationOnAPostOnlyAlias_Is405")]
    [TestCase("POST", "/scep/pkiclient.exe?operation=GetCACaps", 405, "Only PKIOperation may be sent by POST; GetCACaps uses GET.", TestName = "Error_PostGetCaCaps_Is405")]
    [TestCase("POST", "/scep/get-only/pkiclient.exe?operation=PKIOperation", 405, "This alias does not accept PKIOperation by POST.", TestName = "Error_PostOnAGetOnlyAlias_Is405")]
    [TestCase("POST", "/scep/pkiclient.exe?operation=PKIOperation", 400, "The request is not a SCEP pkiMessage: The message does not start with a SEQUENCE.", TestName = "Error_PostOfSomethingElse_Is400")]
    [TestCase("GET", "/scep/orphan/pkiclient.exe?operation=GetCACaps", 503, "The SCEP server could not process the request; try again later.", TestName = "Error_AliasWhoseCaHasNoCredentials_Is503WithoutDetails")]
    public async Task Error_IsPlainTextWithTheReasonOnOneLine(string method, string pathAndQuery, int status, string reason)
    {
        using var content = method == "POST" ? new ByteArrayContent(Encoding.ASCII.GetBytes("not a pkiMessage")) : null;

        var answer = await _host.SendAsync(new HttpMethod(method), pathAndQuery, content);

        answer.Status.Should().Be(status);
        answer.ContentType.Should().Be(PlainText);
        answer.Text.Should().Be(reason + "\n");
        answer.ContentLength.Should().Be(answer.Body.Length);
    }

    [Test]
    public async Task Error_PostWithAnEmptyBody_Is400NotAPkiMessage()
    {
        var answer = await _host.PostAsync("/scep/ra/pkiclient.exe?operation=PKIOperation", System.Array.Empty<byte>());

        answer.Status.Should().Be(400);
        answer.ContentType.Should().Be(PlainText);
        answer.Text.Should().Be("The request is not a SCEP pkiMessage: The message does not start with a SEQUENCE.\n");
    }
}
