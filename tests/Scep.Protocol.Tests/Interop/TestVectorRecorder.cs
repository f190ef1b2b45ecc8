using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// Re-records the golden PKCSReq files of TestVectors/ from the real peers. Not part of a normal run:
/// <c>SCEP_RECORD_TEST_VECTORS=$PWD/tests/Scep.Protocol.Tests/TestVectors dotnet test tests/Scep.Protocol.Tests --filter Name=RecordGoldenPkcsReqs</c>.
/// Keeps ca.pem / ca-key.pem and the client keys when they exist, so old and new files share one CA.
/// </summary>
[Explicit("Writes into the source tree; run it on purpose (see TestVectors/README.md).")]
public class TestVectorRecorder
{
    public const string ScepClientCommonName = "golden-scepclient";
    public const string ScepClientChallenge = "golden-Challenge.1";
    public const string CertmongerCommonName = "golden-certmonger";
    public const string CertmongerChallenge = "golden-Challenge.2";

    [Test]
    public async Task RecordGoldenPkcsReqs()
    {
        var folder = Environment.GetEnvironmentVariable("SCEP_RECORD_TEST_VECTORS");
        if (string.IsNullOrEmpty(folder))
        {
            Assert.Ignore("Set SCEP_RECORD_TEST_VECTORS to the TestVectors folder to record.");
        }

        MicromdmScepClient.Require();
        Certmonger.Require();
        Directory.CreateDirectory(folder);
        string In(string name) => Path.Combine(folder, name);

        if (!File.Exists(In("ca.pem")))
        {
            var created = TestPki.CreateCa("CN=Scep Golden Test CA,O=Scep.Protocol Tests");
            await File.WriteAllTextAsync(In("ca.pem"), created.Certificate.ExportCertificatePem() + "\n");
            await File.WriteAllTextAsync(In("ca-key.pem"), created.Rsa.ExportPkcs8PrivateKeyPem() + "\n");
        }

        if (!File.Exists(In("micromdm-scepclient-key.pem")))
        {
            using var key = RSA.Create(2048);
            await File.WriteAllTextAsync(In("micromdm-scepclient-key.pem"), key.ExportRSAPrivateKeyPem() + "\n"); // scepclient reads PKCS#1 only
        }

        if (!File.Exists(In("certmonger-key.pem")))
        {
            using var key = RSA.Create(2048);
            await File.WriteAllTextAsync(In("certmonger-key.pem"), key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        var ca = TestVectors.LoadCredential(In("ca.pem"), In("ca-key.pem"));
        const string Post = "Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation\n";
        const string GetOnly = "SHA-1\nSHA-256\nAES\nDES3\n";

        // scepclient over POST: the body is the DER pkiMessage.
        await using (var server = new CaptureScepServer([ca.Certificate], CaptureReplies.Issue(ca), Post))
        {
            using var directory = new TempDirectory("record-scepclient-");
            var run = await MicromdmScepClient.EnrollAsync(directory, server.Url, ScepClientCommonName, ScepClientChallenge, await File.ReadAllTextAsync(In("micromdm-scepclient-key.pem")));
            run.Result.ExitCode.Should().Be(0, run.Result.Error + server.Describe());
            var operation = server.Operations.Single();
            operation.Method.Should().Be("POST");
            await File.WriteAllBytesAsync(In("micromdm-scepclient-2.1.0-pkcsreq.der"), operation.Bytes);
        }

        // scepclient over GET: the raw message parameter, as it was on the wire.
        await using (var server = new CaptureScepServer([ca.Certificate], CaptureReplies.Issue(ca), GetOnly))
        {
            using var directory = new TempDirectory("record-scepclient-get-");
            var run = await MicromdmScepClient.EnrollAsync(directory, server.Url, ScepClientCommonName, ScepClientChallenge, await File.ReadAllTextAsync(In("micromdm-scepclient-key.pem")));
            run.Result.ExitCode.Should().Be(0, run.Result.Error + server.Describe());
            var operation = server.Operations.Single();
            operation.Method.Should().Be("GET");
            await File.WriteAllTextAsync(In("micromdm-scepclient-2.1.0-pkcsreq-get-message.txt"), RawMessageParameter(operation.Target) + "\n");
        }

        // certmonger (always GET): the raw message parameter and its DER.
        await using (var server = new CaptureScepServer([ca.Certificate], CaptureReplies.Issue(ca), Post))
        {
            using var directory = new TempDirectory("record-certmonger-");
            var enrollment = await Certmonger.EnrollAsync(directory, server.Url, ca.Certificate.ExportCertificatePem(), CertmongerCommonName, CertmongerChallenge, await File.ReadAllTextAsync(In("certmonger-key.pem")));
            enrollment.RequestExitCode.Should().Be(0, enrollment.Diagnostics + server.Describe());
            var operation = server.Operations.Single();
            operation.Method.Should().Be("GET");
            await File.WriteAllTextAsync(In("certmonger-0.79.17-pkcsreq-get-message.txt"), RawMessageParameter(operation.Target) + "\n");
            await File.WriteAllBytesAsync(In("certmonger-0.79.17-pkcsreq.der"), operation.Bytes);
        }
    }

    private static string RawMessageParameter(string target) =>
        target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Single(p => p.StartsWith("message=", StringComparison.Ordinal))["message=".Length..];
}
