using System;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// PKCSReqs captured from micromdm scepclient 2.1.0 and certmonger 0.79.17 (TestVectors/README.md) still decode,
/// verify and decrypt: the behaviour is pinned where the peers are not installed.
/// </summary>
public class GoldenPkcsReqTests
{
    private const string ScepClientDer = "micromdm-scepclient-2.1.0-pkcsreq.der";
    private const string ScepClientGet = "micromdm-scepclient-2.1.0-pkcsreq-get-message.txt";
    private const string CertmongerDer = "certmonger-0.79.17-pkcsreq.der";
    private const string CertmongerGet = "certmonger-0.79.17-pkcsreq-get-message.txt";

    private TestCredential _ca = null!;

    [OneTimeSetUp]
    public void OneTimeSetUp() => _ca = TestVectors.GoldenCa;

    [Test]
    public void ScepClientPkcsReq_Golden_DecodesVerifiesAndDecryptsWithDesAndSha1()
    {
        var request = RealClientRequest.Open(TestVectors.ReadBytes(ScepClientDer), _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy);

        request.Message.TransactionId.Should().Be("bY8nV50KZO1DlAAoghR5x3LRXDY=");
        request.Message.SigningTime.Should().Be(new DateTimeOffset(2026, 11, 27, 13, 1, 50, TimeSpan.Zero));
        request.Message.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA1);
        request.Message.SignatureAlgorithmOid.Should().Be("1.2.840.113549.1.1.5", "scepclient names sha1WithRSAEncryption in its SignerInfo");
        request.Message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
        request.Message.OtherSignedAttributes.Should().BeEmpty();
        request.Signer.Subject.Should().Be("CN=SCEP SIGNER, O=scep-client", "scepclient's signer certificate does not repeat the CSR subject");
        request.Csr.CommonName.Should().Be(TestVectorRecorder.ScepClientCommonName);
        request.Csr.Subject.Name.Should().Be("CN=golden-scepclient, OU=MDM, O=scep-client, C=US");
        request.Csr.ChallengePassword.Should().Be(TestVectorRecorder.ScepClientChallenge);
        request.Csr.SubjectPublicKeyInfo.ToArray().Should().Equal(ClientKey("micromdm-scepclient-key.pem").ExportSubjectPublicKeyInfo());
    }

    [Test]
    public void ScepClientPkcsReq_Golden_IsRefusedByTheDefaultPolicyBecauseOfSingleDes()
    {
        var message = PkiMessage.Decode(TestVectors.ReadBytes(ScepClientDer));

        message.VerifySignature().RawData.Should().Equal(message.SignerCertificate!.RawData, "SHA-1 is within the default policy");
        FluentActions.Invoking(() => message.Decrypt(_ca.Certificate, _ca.Rsa))
            .Should().Throw<ScepException>().Which.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void ScepClientTransactionId_Golden_IsBase64OfTruncatedSha256OfThePkcs1PublicKey()
    {
        var key = ClientKey("micromdm-scepclient-key.pem");

        var derived = Convert.ToBase64String(SHA256.HashData(key.ExportRSAPublicKey()).AsSpan(0, 20));

        derived.Should().Be(PkiMessage.Decode(TestVectors.ReadBytes(ScepClientDer)).TransactionId,
            "scepclient derives the transactionID from its key: renewals with the same key repeat it");
    }

    [Test]
    public void ScepClientGetMessage_Golden_DecodesFromUrlSafeBase64ToAVerifiablePkcsReq()
    {
        var raw = TestVectors.ReadText(ScepClientGet).Trim();
        raw.Should().MatchRegex("^[A-Za-z0-9_-]+(%3D)*$", "scepclient 2.1.0 sends URL-safe base64 with escaped padding");

        var bytes = ScepBase64.DecodeQueryValue(raw);

        var request = RealClientRequest.Open(bytes, _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy);
        request.Csr.CommonName.Should().Be(TestVectorRecorder.ScepClientCommonName);
        request.Message.TransactionId.Should().Be("bY8nV50KZO1DlAAoghR5x3LRXDY=", "the same key gives the same transactionID");
        request.Message.SenderNonce.ToArray().Should().NotEqual(PkiMessage.Decode(TestVectors.ReadBytes(ScepClientDer)).SenderNonce.ToArray());
    }

    [Test]
    public void CertmongerPkcsReq_Golden_DecodesVerifiesAndDecryptsWithAes256AndSha256()
    {
        var request = RealClientRequest.Open(TestVectors.ReadBytes(CertmongerDer), _ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Strict);

        request.Message.TransactionId.Should().Be("23345009716014240460987922674058351712970528199807226114603048301942301723423");
        request.Message.SigningTime.Should().Be(new DateTimeOffset(2026, 11, 27, 13, 1, 51, TimeSpan.Zero));
        request.Message.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA256);
        request.Message.SignatureAlgorithmOid.Should().Be("1.2.840.113549.1.1.1", "certmonger (OpenSSL PKCS7_sign) names rsaEncryption in its SignerInfo");
        request.Message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.Aes256Cbc);
        request.Message.OtherSignedAttributes.Should().BeEmpty();
        request.Signer.Version.Should().Be(1, "certmonger signs with an X.509 v1 'mini certificate' without extensions");
        request.Signer.Subject.Should().Be("CN=golden-certmonger");
        request.Csr.Subject.Name.Should().Be("CN=golden-certmonger");
        request.Csr.ChallengePassword.Should().Be(TestVectorRecorder.CertmongerChallenge);
        request.Csr.SubjectPublicKeyInfo.ToArray().Should().Equal(ClientKey("certmonger-key.pem").ExportSubjectPublicKeyInfo());
    }

    [Test]
    public void CertmongerTransactionId_Golden_IsTheDecimalSha256OfTheSubjectPublicKeyInfo()
    {
        var hash = SHA256.HashData(ClientKey("certmonger-key.pem").ExportSubjectPublicKeyInfo());

        var derived = new BigInteger(hash, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);

        derived.Should().Be(PkiMessage.Decode(TestVectors.ReadBytes(CertmongerDer)).TransactionId);
    }

    [Test]
    public void CertmongerGetMessage_Golden_IsPercentEscapedStandardBase64OfTheCapturedRequest()
    {
        var raw = TestVectors.ReadText(CertmongerGet).Trim();
        raw.Should().Contain("%2B").And.Contain("%2F").And.NotContainAny("+", "/", "-", "_");

        ScepBase64.DecodeQueryValue(raw).Should().Equal(TestVectors.ReadBytes(CertmongerDer));
    }

    [TestCase(ScepClientDer, "micromdm-scepclient-key.pem")]
    [TestCase(CertmongerDer, "certmonger-key.pem")]
    public void CertRepSuccess_ForGoldenRequest_DecryptsWithTheClientsKeyUsingTheRequestsAlgorithms(string requestFile, string clientKeyFile)
    {
        var request = PkiMessage.Decode(TestVectors.ReadBytes(requestFile));
        var csr = request.Decrypt(_ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy).CertificationRequest!;
        var issued = CaptureReplies.IssueFor(csr, _ca);

        var reply = PkiMessage.Decode(CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued]), CaptureReplies.Parameters(_ca)).Encode());

        reply.EnsureIsReplyTo(request);
        reply.DigestAlgorithm.Should().Be(request.DigestAlgorithm);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(request.Envelope!.ContentEncryptionAlgorithm);
        reply.Envelope.FindRecipientCertificate([request.SignerCertificate!]).Should().NotBeNull("the reply is encrypted to the request's signer");
        var certificates = reply.Decrypt(request.SignerCertificate!, ClientKey(clientKeyFile), ScepAlgorithmPolicy.Legacy).CertificateSet!;
        certificates.FindByPublicKey(csr.PublicKey)!.RawData.Should().Equal(issued.RawData);
    }

    private static RSA ClientKey(string file)
    {
        var key = RSA.Create();
        key.ImportFromPem(TestVectors.ReadText(file));
        return key;
    }
}
