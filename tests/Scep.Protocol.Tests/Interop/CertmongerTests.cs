using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// certmonger 0.79 (its daemon builds the PKCSReq, scep-submit sends it) enrolls against
/// <see cref="CaptureScepServer"/>: the request must decode, verify and decrypt with the codecs, and our
/// SUCCESS reply must satisfy certmonger. The reply mirrors the request's cipher (AES or 3DES), so
/// certmonger needs no OpenSSL legacy provider here.
/// </summary>
public class CertmongerTests
{
    private const string FullCapabilities = "Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation\n";

    private TempDirectory _directory = null!;
    private TestCredential _ca = null!;

    [SetUp]
    public void SetUp()
    {
        Certmonger.Require();
        OpenSsl.Require();
        _directory = new TempDirectory("certmonger-");
        _ca = TestPki.Ca;
    }

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task PkcsReq_FromCertmonger_DecodesVerifiesAndDecryptsAndItsEnrollmentCompletes()
    {
        var key = TestPki.CachedRsa(31);
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Issue(_ca), FullCapabilities);

        var caPem = await Certmonger.GetCaCertificatesPemAsync(server.Url);
        using (var fromGetCaCert = X509Certificate2.CreateFromPem(caPem))
        {
            fromGetCaCert.RawData.Should().Equal(_ca.Certificate.RawData, "scep-submit -C reads our GetCACert reply");
        }

        var enrollment = await Certmonger.EnrollAsync(_directory, server.Url, caPem, "certmonger-host-1", "cm-Challenge.1", key.ExportPkcs8PrivateKeyPem());

        enrollment.RequestExitCode.Should().Be(0, $"getcert request should succeed; {enrollment.Diagnostics}\nserver: {server.Describe()}");
        enrollment.DaemonExitCode.Should().Be(0);
        server.Errors.Should().BeEmpty();
        var operation = server.Operations.Should().ContainSingle().Subject;
        operation.Method.Should().Be("GET", "certmonger 0.79 sends PKIOperation by GET even when POSTPKIOperation is advertised");
        var request = RealClientRequest.Open(operation.Bytes, _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Default);

        request.Message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.Aes256Cbc, "certmonger picks AES-256 when AES is advertised");
        request.Message.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA256);
        request.Signer.Subject.Should().Be("CN=certmonger-host-1", "certmonger's signer is a self-signed 'mini certificate' with the requested subject");
        request.Csr.Subject.Name.Should().Be("CN=certmonger-host-1");
        request.Csr.ChallengePassword.Should().Be("cm-Challenge.1");
        request.Csr.SubjectPublicKeyInfo.ToArray().Should().Equal(key.ExportSubjectPublicKeyInfo(), "certmonger used the key we gave it");

        File.Exists(enrollment.CertificatePath).Should().BeTrue(enrollment.Diagnostics);
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(enrollment.CertificatePath));
        certificate.Subject.Should().Be("CN=certmonger-host-1");
        certificate.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        var verify = await OpenSsl.VerifyCertificateAsync(_directory.File("ca-chain.pem"), enrollment.CertificatePath);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain(": OK");
    }

    [Test]
    public async Task Capabilities_Des3WithoutAes_CertmongerEncryptsWithTripleDesAndStillEnrolls()
    {
        var key = TestPki.CachedRsa(32);
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Issue(_ca), "DES3\nSHA-1\n");

        var enrollment = await Certmonger.EnrollAsync(_directory, server.Url, _ca.Certificate.ExportCertificatePem(), "certmonger-host-2", "cm-Challenge.2", key.ExportPkcs8PrivateKeyPem());

        enrollment.RequestExitCode.Should().Be(0, $"{enrollment.Diagnostics}\nserver: {server.Describe()}");
        var operation = server.Operations.Should().ContainSingle().Subject;
        var request = RealClientRequest.Open(operation.Bytes, _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Default);
        request.Message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.TripleDesCbc, "certmonger adapts its cipher to GetCACaps");
        request.Csr.ChallengePassword.Should().Be("cm-Challenge.2");
        File.Exists(enrollment.CertificatePath).Should().BeTrue("our reply mirrors 3DES, which certmonger decrypts");
    }

    [TestCase(PkiStatus.Failure)]
    [TestCase(PkiStatus.Pending)]
    public async Task ReplyWithoutEnvelope_IsVerifiedByCertmongerAndRecordedAsRejectedOrWaiting(PkiStatus status)
    {
        var key = TestPki.CachedRsa(33);
        await using var server = new CaptureScepServer(
            [_ca.Certificate],
            status == PkiStatus.Failure ? CaptureReplies.Fail(_ca, FailInfo.BadRequest, "refused by the test") : captured => CertRep.CreatePending(captured.Message!, CaptureReplies.Parameters(_ca)),
            FullCapabilities);

        var enrollment = await Certmonger.EnrollAsync(_directory, server.Url, _ca.Certificate.ExportCertificatePem(), "certmonger-host-3", "cm-Challenge.3", key.ExportPkcs8PrivateKeyPem());

        server.Operations.Should().ContainSingle().Which.Message!.MessageType.Should().Be(MessageType.PKCSReq);

        // certmonger verifies every reply with OpenSSL's PKCS7_verify, which refuses a SignedData without eContent
        // ("no content") and then files the request as CA_UNREACHABLE and retries as if the server were down.
        enrollment.CaError.Should().NotContain("failed to verify signature", enrollment.Diagnostics);
        if (status == PkiStatus.Failure)
        {
            enrollment.Status.Should().Be("CA_REJECTED", enrollment.Diagnostics);
            enrollment.CaError.Should().Contain("not permitted", "certmonger shows failInfo badRequest");
        }
        else
        {
            enrollment.Status.Should().Be("CA_WORKING", "certmonger keeps a pending request and polls later; " + enrollment.Diagnostics);
        }

        File.Exists(enrollment.CertificatePath).Should().BeFalse();
    }

    [Test]
    public async Task ScepSubmitGetCaCaps_ReadsTheAdvertisedKeywords()
    {
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Issue(_ca), "AES\r\nSHA-256\r\nExample.com-Private\r\n");

        var result = await Certmonger.GetCapabilitiesAsync(server.Url);

        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .Should().BeEquivalentTo(["AES", "SHA-256", "Example.com-Private"]);
        server.Exchanges.Should().Contain(e => e.Operation == ScepOperation.GetCACaps && e.Status == 200);
    }
}
