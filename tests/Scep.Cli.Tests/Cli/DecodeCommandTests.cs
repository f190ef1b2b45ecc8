using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Cli.Tests.Cli;

public class DecodeCommandTests
{
    private TempDirectory _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _directory.Dispose();

    private static (PkiMessage Request, PkiMessage Reply, TestCredential Client) Exchange()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=decode-me", TestPki.CachedRsa(20));
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=decode-me")) { ChallengePassword = "pw-42" }.Build(client.Key, HashAlgorithmName.SHA256);
        var request = PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
        {
            TransactionId = "TID-1234",
            SignerCertificate = client.Certificate,
            SignerKey = client.Key,
            RecipientCertificate = ca.Certificate,
            ContentEncryption = ContentEncryptionAlgorithm.TripleDesCbc,
            SigningTime = FakeScepServer.Now,
        });
        var issued = TestPki.Issue(ca, "CN=decode-me", client.Key);
        var reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate]), new CertRepParameters
        {
            SignerCertificate = ca.Certificate,
            SignerKey = ca.Key,
            SigningTime = FakeScepServer.Now,
        });
        return (request, reply, client);
    }

    [Test]
    public async Task Decode_RequestWithCaKey_ShowsFieldsAndDecryptedCsr()
    {
        var (request, _, _) = Exchange();
        await File.WriteAllBytesAsync(_directory.File("request.der"), request.Encode());
        await File.WriteAllTextAsync(_directory.File("ca-key.pem"), TestPki.Ca.Rsa.ExportPkcs8PrivateKeyPem());

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("request.der"), "--key", _directory.File("ca-key.pem"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("messageType    19 PKCSReq")
            .And.Contain("transactionID  TID-1234")
            .And.Contain($"senderNonce    {Convert.ToHexString(request.SenderNonce.Span)} (16 bytes)")
            .And.Contain("recipientNonce (absent)")
            .And.Contain("signingTime    2026-06-01 12:00:00Z")
            .And.Contain("signature      valid")
            .And.Contain("envelope       EnvelopedData, 3DES-CBC")
            .And.Contain("subject      CN=decode-me")
            .And.Contain("challenge    pw-42 (PrintableString)");
    }

    [Test]
    public async Task Decode_ReplyAsPemWithClientKey_ShowsStatusNoncesAndIssuedCertificate()
    {
        var (request, reply, client) = Exchange();
        await File.WriteAllTextAsync(_directory.File("reply.pem"), new string(PemEncoding.Write("PKCS7", reply.Encode())));
        await File.WriteAllTextAsync(_directory.File("key.pem"), client.Rsa.ExportRSAPrivateKeyPem());
        await File.WriteAllTextAsync(_directory.File("signer.pem"), client.Certificate.ExportCertificatePem());

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("reply.pem"), "--key", _directory.File("key.pem"), "--cert", _directory.File("signer.pem"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("messageType    3 CertRep")
            .And.Contain("pkiStatus      0 SUCCESS")
            .And.Contain($"recipientNonce {Convert.ToHexString(request.SenderNonce.Span)} (16 bytes)")
            .And.Contain("content        decrypted")
            .And.Contain("  certificates 1");
    }

    [Test]
    public async Task Decode_UrlWithMessageParameter_IsRead()
    {
        var (request, _, _) = Exchange();
        await File.WriteAllTextAsync(_directory.File("url.txt"), "http://ca.example/scep?operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.Encode().AsSpan()) + "\n");

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("url.txt"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("from the message parameter of a URL").And.Contain("content        encrypted; give the recipient's key with --key");
    }

    [Test]
    public async Task Decode_FailureReply_ShowsFailInfoAndText()
    {
        var (request, _, _) = Exchange();
        var failure = CertRep.CreateFailure(request, FailInfo.BadTime, "clock skew", new CertRepParameters { SignerCertificate = TestPki.Ca.Certificate, SignerKey = TestPki.Ca.Key, SigningTime = FakeScepServer.Now });
        await File.WriteAllTextAsync(_directory.File("failure.b64"), Convert.ToBase64String(failure.Encode()));

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("failure.b64"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("pkiStatus      2 FAILURE").And.Contain("failInfo       3 badTime").And.Contain("failInfoText   clock skew").And.Contain("envelope       (none)");
    }

    [Test]
    public async Task Decode_GetCaCertReply_ListsTheCertificates()
    {
        await File.WriteAllBytesAsync(_directory.File("ca.der"), TestPki.Ca.Certificate.RawData);

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("ca.der"));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("GetCACert reply").And.Contain("subject      CN=Scep Test CA");
    }

    [Test]
    public async Task Decode_Garbage_ExitsTwo()
    {
        await File.WriteAllTextAsync(_directory.File("junk.txt"), "!!! not base64 !!!");

        var run = await CliRunner.RunAsync(null, "decode", _directory.File("junk.txt"));

        run.ExitCode.Should().Be(2);
    }
}
