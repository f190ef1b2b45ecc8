using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Cli.Tests.Cli;

public class CommandLineTests
{
    private TempDirectory _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _directory.Dispose();

    [Test]
    public async Task Caps_PrintsKeywordsAndTheChoices()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer { Capabilities = "POSTPKIOperation\nAES\nSHA-512" }, "caps", CliRunner.Url);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("POSTPKIOperation   PKIOperation by HTTP POST")
            .And.Contain("PKIOperation       POST")
            .And.Contain("encryption         AES-128-CBC")
            .And.Contain("digest             SHA-512");
    }

    [Test]
    public async Task GetCa_WritesTheCaAndChainFiles()
    {
        var server = new FakeScepServer();

        var run = await CliRunner.RunAsync(server, "getca", CliRunner.Url, "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("issuing CA, requests are encrypted to it, replies are verified with it");
        X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_directory.File("ca.pem"))).Thumbprint.Should().Be(server.Ca.Certificate.Thumbprint);
    }

    [Test]
    public async Task Enroll_Issued_WritesKeyAndCertificateThatBelongTogether()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer(), "enroll", CliRunner.Url, "--cn", "device-9", "--challenge", "pw", "--dns", "device-9.example", "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("CertRep      SUCCESS").And.Contain("subject      CN=device-9");
        var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_directory.File("cert.pem")));
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(_directory.File("key.pem")));
        certificate.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(_directory.File("key.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Exists(_directory.File("chain.pem")).Should().BeTrue();
    }

    [Test]
    public async Task Enroll_SendsChallengeAndSubjectAltNamesInTheRequest()
    {
        var server = new FakeScepServer();

        await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--subject", "CN=host,O=Example", "--challenge", "pw-1", "--dns", "host.example", "--ip", "192.0.2.7", "-o", _directory.Path);

        var csr = server.PkiOperations.Single().Content!.CertificationRequest!;
        csr.ChallengePassword.Should().Be("pw-1");
        csr.Subject.Name.Should().Be("CN=host, O=Example");
        var san = csr.RequestedExtensions.OfType<X509Extension>().Single(e => e.Oid!.Value == "2.5.29.17");
        new X509SubjectAlternativeNameExtension(san.RawData).EnumerateDnsNames().Should().Equal("host.example");
        new X509SubjectAlternativeNameExtension(san.RawData).EnumerateIPAddresses().Should().Equal(IPAddress.Parse("192.0.2.7"));
    }

    [Test]
    public async Task Enroll_Refused_ExitsOneAndShowsFailInfo()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer { Refusal = (FailInfo.BadRequest, "wrong challenge") }, "enroll", CliRunner.Url, "--cn", "x", "-o", _directory.Path);

        run.ExitCode.Should().Be(1);
        run.Output.Should().Contain("CertRep      FAILURE").And.Contain("failInfo     badRequest").And.Contain("failInfoText wrong challenge");
        File.Exists(_directory.File("cert.pem")).Should().BeFalse();
    }

    [Test]
    public async Task Enroll_PendingThenPoll_ExitsThreeThenZero()
    {
        var server = new FakeScepServer { PendingReplies = 1 };

        var enroll = await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--cn", "slow", "-o", _directory.Path);
        var transaction = await File.ReadAllTextAsync(_directory.File("transaction.txt"));
        var poll = await CliRunner.RunAsync(server, "poll", CliRunner.Url, "--dir", _directory.Path);

        enroll.ExitCode.Should().Be(3, enroll.Error);
        enroll.Output.Should().Contain("CertRep      PENDING").And.Contain("scep poll");
        transaction.Should().Contain("transactionId=" + server.PkiOperations[0].Message!.TransactionId);
        poll.ExitCode.Should().Be(0, poll.Error);
        server.PkiOperations[1].Message!.MessageType.Should().Be(MessageType.CertPoll);
        server.PkiOperations[1].Message!.TransactionId.Should().Be(server.PkiOperations[0].Message!.TransactionId);
        File.Exists(_directory.File("cert.pem")).Should().BeTrue();
        File.Exists(_directory.File("transaction.txt")).Should().BeFalse();
    }

    [Test]
    public async Task Enroll_PendingWithWait_PrintsAProgressLinePerPoll()
    {
        var server = new FakeScepServer { PendingReplies = 2 };

        var run = await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--cn", "slow", "-o", _directory.Path, "--wait", "10m", "--poll-interval", "5s");

        run.ExitCode.Should().Be(0, run.Error);
        run.Error.Should().Contain("polling      attempt 1/10000, pending for 0s, next poll in 5s")
            .And.Contain("polling      attempt 2/10000, pending for 5s, next poll in 10s");
        run.Output.Should().Contain("CertRep      SUCCESS");
    }

    [Test]
    public async Task Enroll_P256Key_UsesASeparateRsaTransportKey()
    {
        var server = new FakeScepServer();

        var run = await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--cn", "ec", "--key-type", "p256", "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
        run.Error.Should().Contain("separate RSA key");
        X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_directory.File("cert.pem"))).GetECDsaPublicKey().Should().NotBeNull();
        File.Exists(_directory.File("signer-key.pem")).Should().BeTrue();
        server.PkiOperations.Single().Message!.SignerCertificate!.GetRSAPublicKey().Should().NotBeNull();
    }

    [Test]
    public async Task Enroll_ExistingKeyFile_IsCertifiedAndNotOverwritten()
    {
        var key = TestPki.CachedRsa(8);
        var pem = key.ExportPkcs8PrivateKeyPem();
        await File.WriteAllTextAsync(_directory.File("mine.pem"), pem);

        var run = await CliRunner.RunAsync(new FakeScepServer(), "enroll", CliRunner.Url, "--cn", "k", "--key", _directory.File("mine.pem"), "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
        X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_directory.File("cert.pem"))).PublicKey.ExportSubjectPublicKeyInfo()
            .Should().Equal(key.ExportSubjectPublicKeyInfo());
        File.Exists(_directory.File("key.pem")).Should().BeFalse();
    }

    [Test]
    public async Task Enroll_DesReplyWithoutLegacy_ExitsFiveWithAHint()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer { ReplyEncryption = ContentEncryptionAlgorithm.DesCbc }, "enroll", CliRunner.Url, "--cn", "x", "-o", _directory.Path);

        run.ExitCode.Should().Be(5);
        run.Error.Should().Contain("AlgorithmNotAllowed").And.Contain("--legacy");
    }

    [Test]
    public async Task Enroll_DesReplyWithLegacy_IsIssued()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer { ReplyEncryption = ContentEncryptionAlgorithm.DesCbc }, "enroll", CliRunner.Url, "--cn", "x", "--legacy", "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("DES-CBC");
    }

    [Test]
    public async Task Enroll_HttpError_ExitsFour()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer { PkiOperationStatus = HttpStatusCode.InternalServerError }, "enroll", CliRunner.Url, "--cn", "x", "-o", _directory.Path);

        run.ExitCode.Should().Be(4);
        run.Error.Should().Contain("HTTP 500");
    }

    [Test]
    public async Task Enroll_PinnedFingerprintOfAnotherCa_ExitsFiveBeforeSending()
    {
        var server = new FakeScepServer();
        var other = Convert.ToHexString(server.Stranger.Certificate.GetCertHash(HashAlgorithmName.SHA256));

        var run = await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--cn", "x", "--ca-fingerprint", other, "-o", _directory.Path);

        run.ExitCode.Should().Be(5);
        run.Error.Should().Contain("not the pinned CA");
        server.PkiOperations.Should().BeEmpty();
    }

    [Test]
    public async Task Enroll_PinnedFingerprintWithColons_IsAccepted()
    {
        var server = new FakeScepServer();
        var pin = string.Join(':', Convert.ToHexString(server.Ca.Certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));

        var run = await CliRunner.RunAsync(server, "enroll", CliRunner.Url, "--cn", "x", "--ca-fingerprint", pin, "-o", _directory.Path);

        run.ExitCode.Should().Be(0, run.Error);
    }

    [TestCase("enroll")]
    [TestCase("enroll", "http://127.0.0.1/scep", "--key-type", "dsa")]
    [TestCase("enroll", "http://127.0.0.1/scep", "--cn", "a", "--wait", "soon")]
    [TestCase("nonsense")]
    public async Task BadCommandLine_ExitsTwo(params string[] args)
    {
        var run = await CliRunner.RunAsync(new FakeScepServer(), [.. args, "-o", _directory.Path]);

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("error:");
    }

    [Test]
    public async Task Renew_SendsRenewalReqSignedWithTheOldCertificate()
    {
        var server = new FakeScepServer();
        var oldKey = TestPki.CachedRsa(9);
        var old = server.IssueDirectly("CN=renew-me", oldKey);
        await File.WriteAllTextAsync(_directory.File("old.pem"), old.ExportCertificatePem());
        await File.WriteAllTextAsync(_directory.File("old-key.pem"), oldKey.ExportRSAPrivateKeyPem());
        var output = Path.Combine(_directory.Path, "new");

        var run = await CliRunner.RunAsync(server, "renew", CliRunner.Url, "--cert", _directory.File("old.pem"), "--key", _directory.File("old-key.pem"), "-o", output);

        run.ExitCode.Should().Be(0, run.Error);
        var request = server.PkiOperations.Single().Message!;
        request.MessageType.Should().Be(MessageType.RenewalReq);
        request.SignerCertificate!.Thumbprint.Should().Be(old.Thumbprint);
        server.PkiOperations.Single().Content!.CertificationRequest!.Subject.Name.Should().Be("CN=renew-me");
        X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(output, "cert.pem"))).PublicKey.ExportSubjectPublicKeyInfo()
            .Should().NotEqual(oldKey.ExportSubjectPublicKeyInfo());
    }

    [Test]
    public async Task GetCrl_WritesTheCrlAndSummarisesIt()
    {
        var server = new FakeScepServer();
        server.Crl = FakeScepServer.CreateCrl(server.Ca, [0x0A, 0x0B]);

        var run = await CliRunner.RunAsync(server, "getcrl", CliRunner.Url, "-o", _directory.File("ca.crl"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("revoked    1").And.Contain("nextUpdate 2026-06-08 12:00:00Z");
        (await File.ReadAllBytesAsync(_directory.File("ca.crl"))).Should().Equal(server.Crl);
    }

    [Test]
    public async Task GetCert_UnknownSerial_ExitsOneWithBadCertId()
    {
        var run = await CliRunner.RunAsync(new FakeScepServer(), "getcert", CliRunner.Url, "--serial", "7f01");

        run.ExitCode.Should().Be(1);
        run.Output.Should().Contain("badCertId");
    }

    [Test]
    public async Task GetCert_KnownSerial_PrintsTheCertificate()
    {
        var server = new FakeScepServer();
        var issued = server.IssueDirectly("CN=fetch-me", TestPki.CachedRsa(10));

        var run = await CliRunner.RunAsync(server, "getcert", CliRunner.Url, "--serial", issued.SerialNumber, "-o", _directory.File("got.pem"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("subject      CN=fetch-me");
        X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_directory.File("got.pem"))).Thumbprint.Should().Be(issued.Thumbprint);
    }

    [Test]
    public async Task Check_AgainstTheFakeServer_PassesTheCoreChecks()
    {
        var server = new FakeScepServer { Capabilities = "POSTPKIOperation\nAES\nDES3\nSHA-1\nSHA-256\nSHA-512\nRenewal", Crl = FakeScepServer.CreateCrl(TestPki.Ca, [0x01]) };

        var run = await CliRunner.RunAsync(server, "check", CliRunner.Url, "--challenge", "pw");

        run.Output.Should().MatchRegex(@"PKCSReq via POST\s+pass")
            .And.MatchRegex(@"PKCSReq via GET\s+pass")
            .And.MatchRegex(@"CertRep content encryption\s+pass")
            .And.MatchRegex(@"CertRep senderNonce\s+pass")
            .And.MatchRegex(@"Request with a bad signature\s+pass\s+signed FAILURE badMessageCheck")
            .And.MatchRegex(@"Malformed PKIOperation\s+pass")
            .And.MatchRegex(@"GetCRL\s+pass")
            .And.MatchRegex(@"GetCert \(issued certificate\)\s+pass");
        run.Output.Should().MatchRegex(@"Wrong challengePassword\s+FAIL\s+a certificate was issued", "the fake server does not check challenges");
        run.ExitCode.Should().Be(1, "a failed check makes the exit code 1");
    }
}
