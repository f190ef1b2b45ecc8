using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// micromdm scepclient 2.1.0 enrolls against <see cref="CaptureScepServer"/>: its PKCSReq must decode, verify and
/// decrypt with the codecs, and the CertRep the codecs build must satisfy it.
/// </summary>
public class MicromdmScepClientTests
{
    /// <summary>What micromdm's own scepserver advertises.</summary>
    private const string MicromdmCapabilities = "Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation\n";

    private TempDirectory _directory = null!;
    private TestCredential _ca = null!;

    [SetUp]
    public void SetUp()
    {
        MicromdmScepClient.Require();
        OpenSsl.Require();
        _directory = new TempDirectory("scepclient-");
        _ca = TestPki.Ca;
    }

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task PkcsReq_FromScepClient_DecodesVerifiesAndDecryptsAndItsEnrollmentCompletes()
    {
        var issued = new ConcurrentQueue<X509Certificate2>();
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Issue(_ca, issued.Enqueue), MicromdmCapabilities);

        var run = await MicromdmScepClient.EnrollAsync(_directory, server.Url, "scepclient-device-1", "challenge-Pw.1");

        run.Result.ExitCode.Should().Be(0, $"scepclient should enroll; {run.Result.Output}{run.Result.Error} server: {server.Describe()}");
        server.Errors.Should().BeEmpty();
        var operation = server.Operations.Should().ContainSingle().Subject;
        operation.Method.Should().Be("POST", "POSTPKIOperation is advertised");
        var request = RealClientRequest.Open(operation.Bytes, _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy);

        // What scepclient 2.1.0 sends, whatever the capabilities say: DES-CBC and SHA-1.
        request.Message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
        request.Message.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA1);
        request.Message.SigningTime.Should().NotBeNull();
        request.Csr.CommonName.Should().Be("scepclient-device-1");
        request.Csr.ChallengePassword.Should().Be("challenge-Pw.1");
        using (var key = RSA.Create())
        {
            key.ImportFromPem(await File.ReadAllTextAsync(run.KeyPath));
            request.Csr.SubjectPublicKeyInfo.ToArray().Should().Equal(key.ExportSubjectPublicKeyInfo(), "the CSR is for the key scepclient wrote");
        }

        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(run.CertificatePath));
        certificate.RawData.Should().Equal(issued.Single().RawData, "scepclient stores the certificate from our SUCCESS reply");
        var verify = await OpenSsl.VerifyCertificateAsync(await WriteCaPemAsync(), run.CertificatePath);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain(": OK");
    }

    [Test]
    public async Task PkcsReq_FromScepClientWithoutPostCapability_ArrivesByGetInUrlSafeBase64AndDecodes()
    {
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Issue(_ca), "SHA-1\nDES3\n");

        var run = await MicromdmScepClient.EnrollAsync(_directory, server.Url, "scepclient-get-1", "challenge-get");

        run.Result.ExitCode.Should().Be(0, $"{run.Result.Output}{run.Result.Error} server: {server.Describe()}");
        var operation = server.Operations.Should().ContainSingle().Subject;
        operation.Method.Should().Be("GET");
        var message = operation.Target[(operation.Target.IndexOf("message=", System.StringComparison.Ordinal) + "message=".Length)..].Split('&')[0];
        message.Should().MatchRegex("[-_]", "scepclient 2.1.0 writes the URL-safe base64 alphabet (micromdm/scep issue 249)");
        message.Should().NotContainAny("+", "/");
        var request = RealClientRequest.Open(operation.Bytes, _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy);
        request.Csr.CommonName.Should().Be("scepclient-get-1");
        request.Csr.ChallengePassword.Should().Be("challenge-get");
        File.Exists(run.CertificatePath).Should().BeTrue();
    }

    [Test]
    public async Task FailureReply_BadRequest_MakesScepClientExitNonZeroWithoutCertificate()
    {
        await using var server = new CaptureScepServer([_ca.Certificate], CaptureReplies.Fail(_ca, FailInfo.BadRequest, "refused by the test"), MicromdmCapabilities);

        var run = await MicromdmScepClient.EnrollAsync(_directory, server.Url, "scepclient-refused", "wrong-challenge");

        run.Result.ExitCode.Should().NotBe(0, $"a FAILURE CertRep is not an enrollment; {run.Result.Output}{run.Result.Error}");
        server.Errors.Should().BeEmpty("the FAILURE reply was built and sent");
        server.Operations.Should().ContainSingle().Which.Message!.MessageType.Should().Be(MessageType.PKCSReq);
        File.Exists(run.CertificatePath).Should().BeFalse();
        (run.Result.Output + run.Result.Error).Should().Contain("badRequest", "scepclient reports the failInfo it read from our reply");
    }

    private async Task<string> WriteCaPemAsync()
    {
        var path = _directory.File("ca.pem");
        await File.WriteAllTextAsync(path, _ca.Certificate.ExportCertificatePem());
        return path;
    }
}
