using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

public class PkiMessageRoundTripTests
{
    private static readonly ContentEncryptionAlgorithm[] Encryptions = Enum.GetValues<ContentEncryptionAlgorithm>();
    private static readonly HashAlgorithmName[] Digests =
        [HashAlgorithmName.MD5, HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512];

    private static readonly MessageType[] RequestTypes =
        [MessageType.PKCSReq, MessageType.RenewalReq, MessageType.UpdateReq, MessageType.CertPoll, MessageType.GetCert, MessageType.GetCRL];

    public static IEnumerable<TestCaseData> EveryRequestTypeAndAlgorithm()
    {
        foreach (var type in RequestTypes)
        {
            foreach (var encryption in Encryptions)
            {
                foreach (var digest in Digests)
                {
                    yield return new TestCaseData(type, encryption, digest).SetName($"Request_{type}_{encryption}_{digest.Name}_RoundTrips");
                }
            }
        }
    }

    [TestCaseSource(nameof(EveryRequestTypeAndAlgorithm))]
    public void Request_RoundTrips_ThroughDecodeVerifyAndDecrypt(MessageType type, ContentEncryptionAlgorithm encryption, HashAlgorithmName digest)
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=device-1", TestPki.CachedRsa(1));
        var csr = Scenario.Csr("CN=device-1", client.Key);
        var serial = IssuerAndSerialNumber.FromCertificate(ca.Certificate);
        var poll = IssuerAndSubject.Create(ca.Certificate.SubjectName, new X500DistinguishedName("CN=device-1"));
        var parameters = Scenario.RequestParameters(client, ca.Certificate, encryption, digest);
        var built = type switch
        {
            MessageType.PKCSReq => PkiMessage.CreatePkcsReq(csr, parameters),
            MessageType.RenewalReq => PkiMessage.CreateRenewalReq(csr, parameters),
            MessageType.UpdateReq => PkiMessage.CreateRequest(MessageType.UpdateReq, csr.RawData.Span, parameters),
            MessageType.CertPoll => PkiMessage.CreateCertPoll(poll, parameters),
            MessageType.GetCert => PkiMessage.CreateGetCert(serial, parameters),
            _ => PkiMessage.CreateGetCrl(serial, parameters),
        };

        var parsed = PkiMessage.Decode(built.Encode());

        parsed.MessageType.Should().Be(type);
        parsed.TransactionId.Should().Be(parameters.TransactionId);
        parsed.SenderNonce.Length.Should().Be(16);
        parsed.RecipientNonce.IsEmpty.Should().BeTrue();
        parsed.Status.Should().BeNull();
        parsed.DigestAlgorithm.Should().Be(digest);
        parsed.SigningTime.Should().Be(Scenario.Now);
        parsed.SignerCertificate!.RawData.Should().Equal(client.Certificate.RawData);
        parsed.Envelope!.ContentEncryptionAlgorithm.Should().Be(encryption);
        parsed.VerifySignature(ScepAlgorithmPolicy.Legacy).RawData.Should().Equal(client.Certificate.RawData);

        var content = parsed.Decrypt(ca.Certificate, ca.Rsa, ScepAlgorithmPolicy.Legacy);
        content.EncryptionAlgorithm.Should().Be(encryption);
        switch (type)
        {
            case MessageType.CertPoll:
                content.IssuerAndSubject!.Subject.Name.Should().Be("CN=device-1");
                content.IssuerAndSubject.Issuer.RawData.Should().Equal(ca.Certificate.SubjectName.RawData);
                break;
            case MessageType.GetCert or MessageType.GetCRL:
                content.IssuerAndSerialNumber!.Matches(ca.Certificate).Should().BeTrue();
                break;
            default:
                content.CertificationRequest!.ChallengePassword.Should().Be("secret-123");
                content.CertificationRequest.RawData.ToArray().Should().Equal(csr.RawData.ToArray());
                content.CertificationRequest.HasSamePublicKeyAs(client.Certificate).Should().BeTrue();
                break;
        }
    }

    public static IEnumerable<TestCaseData> EveryReplyAlgorithm()
    {
        foreach (var encryption in Encryptions)
        {
            foreach (var digest in Digests)
            {
                yield return new TestCaseData(encryption, digest).SetName($"CertRepSuccess_{encryption}_{digest.Name}_RoundTrips");
            }
        }
    }

    [TestCaseSource(nameof(EveryReplyAlgorithm))]
    public void CertRepSuccess_RoundTrips_WithRequestAlgorithms(ContentEncryptionAlgorithm encryption, HashAlgorithmName digest)
    {
        var ca = TestPki.Ca;
        var (request, client, csr) = Scenario.PkcsReq(ca, encryption, digest);
        var issued = TestPki.Issue(ca, "CN=device-1,O=Example", client.Key);
        var reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate, ca.Certificate]), Scenario.ReplyParameters(ca));

        var parsed = PkiMessage.Decode(reply.Encode());

        parsed.MessageType.Should().Be(MessageType.CertRep);
        parsed.Status.Should().Be(PkiStatus.Success);
        parsed.TransactionId.Should().Be(request.TransactionId);
        parsed.RecipientNonce.ToArray().Should().Equal(request.SenderNonce.ToArray());
        parsed.SenderNonce.ToArray().Should().NotEqual(request.SenderNonce.ToArray(), "a reply's senderNonce is fresh");
        parsed.DigestAlgorithm.Should().Be(digest, "the reply mirrors the request's digest");
        parsed.SigningTime.Should().Be(Scenario.Now);
        parsed.Envelope!.ContentEncryptionAlgorithm.Should().Be(encryption, "the reply mirrors the request's cipher");
        parsed.EnsureIsReplyTo(request);
        parsed.VerifySignature(ScepAlgorithmPolicy.Legacy).RawData.Should().Equal(ca.Certificate.RawData);

        var content = parsed.Decrypt(client.Certificate, client.Rsa, ScepAlgorithmPolicy.Legacy);
        content.CertificateSet!.Certificates.Select(c => c.RawData).Should().BeEquivalentTo(
            [issued.Certificate.RawData, ca.Certificate.RawData], o => o.WithStrictOrdering());
        content.CertificateSet.FindByPublicKey(csr.PublicKey)!.RawData.Should().Equal(issued.Certificate.RawData);
    }

    [TestCase(FailInfo.BadAlg)]
    [TestCase(FailInfo.BadMessageCheck)]
    [TestCase(FailInfo.BadRequest)]
    [TestCase(FailInfo.BadTime)]
    [TestCase(FailInfo.BadCertId)]
    public void CertRepFailure_RoundTrips_WithFailInfoAndText(FailInfo failInfo)
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var reply = CertRep.CreateFailure(request, failInfo, "Enrollment refused: ünïcode text", Scenario.ReplyParameters(TestPki.Ca));

        var parsed = PkiMessage.Decode(reply.Encode());

        parsed.Status.Should().Be(PkiStatus.Failure);
        parsed.FailInfo.Should().Be(failInfo);
        parsed.FailInfoText.Should().Be("Enrollment refused: ünïcode text");
        parsed.Content.IsEmpty.Should().BeTrue("FAILURE carries no pkcsPKIEnvelope");
        parsed.Envelope.Should().BeNull();
        parsed.EnsureIsReplyTo(request);
        parsed.VerifySignature().RawData.Should().Equal(TestPki.Ca.Certificate.RawData);
    }

    [Test]
    public void CertRepPending_RoundTrips_WithoutContent()
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var reply = CertRep.CreatePending(request, Scenario.ReplyParameters(TestPki.Ca));

        var parsed = PkiMessage.Decode(reply.Encode());

        parsed.Status.Should().Be(PkiStatus.Pending);
        parsed.FailInfo.Should().BeNull();
        parsed.Content.IsEmpty.Should().BeTrue();
        parsed.EnsureIsReplyTo(request);
        parsed.VerifySignature();
    }

    [Test]
    public void CertRep_ForcedMd5Digest_IsUsedEvenWhenTheRequestUsedSha256()
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca, digest: HashAlgorithmName.SHA256);

        var reply = CertRep.CreatePending(request, Scenario.ReplyParameters(TestPki.Ca, HashAlgorithmName.MD5));

        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
        reply.VerifySignature(ScepAlgorithmPolicy.Legacy);
        FluentActions.Invoking(() => reply.VerifySignature(ScepAlgorithmPolicy.Default))
            .Should().Throw<ScepException>().Which.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [TestCase(KeyTransportAlgorithm.RsaOaepSha1)]
    [TestCase(KeyTransportAlgorithm.RsaOaepSha256)]
    [TestCase(KeyTransportAlgorithm.RsaOaepSha512)]
    public void Request_WithOaepKeyTransport_Decrypts(KeyTransportAlgorithm keyTransport)
    {
        var client = TestPki.CreateSelfSigned("CN=windows", TestPki.CachedRsa(2));
        var csr = Scenario.Csr("CN=windows", client.Key);
        var request = PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(client, TestPki.Ca.Certificate, keyTransport: keyTransport));

        var parsed = PkiMessage.Decode(request.Encode());

        parsed.Envelope!.Recipients.Single().KeyEncryptionAlgorithmOid.Should().Be("1.2.840.113549.1.1.7");
        parsed.Decrypt(TestPki.Ca.Certificate, TestPki.Ca.Rsa).CertificationRequest!.CommonName.Should().Be("windows");
    }

    [TestCase("P-256")]
    [TestCase("P-384")]
    public void CertRep_SignedWithEcdsa_Verifies(string curve)
    {
        using var ecKey = ECDsa.Create(curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        var ecCa = TestPki.CreateCa("CN=EC CA", ecKey);
        var ra = TestPki.CreateRa(ecCa, "CN=EC CA decrypter", X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(3));
        var (request, client, _) = Scenario.PkcsReq(ra);
        request.Decrypt(ra.Certificate, ra.Rsa);
        var issued = TestPki.Issue(ecCa, "CN=device-1,O=Example", client.Key);

        var reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate]), Scenario.ReplyParameters(ecCa, HashAlgorithmName.SHA384));

        var parsed = PkiMessage.Decode(reply.Encode());
        parsed.SignatureAlgorithmOid.Should().Be("1.2.840.10045.4.3.3");
        parsed.VerifySignature().RawData.Should().Equal(ecCa.Certificate.RawData);
        parsed.Decrypt(client.Certificate, client.Rsa).CertificateSet!.Certificates.Single().RawData.Should().Equal(issued.Certificate.RawData);
    }

    [Test]
    public void Request_SignedWithEcdsaClientKey_VerifiesButTheReplyCannotBeEncryptedToIt()
    {
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = TestPki.CreateSelfSigned("CN=ec-device", ecKey);
        var csr = Scenario.Csr("CN=ec-device", ecKey);
        var request = PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(client, TestPki.Ca.Certificate));

        request.VerifySignature();
        request.Decrypt(TestPki.Ca.Certificate, TestPki.Ca.Rsa).CertificationRequest!.VerifyProofOfPossession();
        FluentActions.Invoking(() => CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([TestPki.Ca.Certificate]), Scenario.ReplyParameters(TestPki.Ca)))
            .Should().Throw<ScepException>().Which.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void BuiltMessage_EqualsItsReDecodedForm()
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);

        var again = PkiMessage.Decode(request.RawData);

        again.Encode().Should().Equal(request.Encode());
        again.TransactionId.Should().Be(request.TransactionId);
        again.SenderNonce.ToArray().Should().Equal(request.SenderNonce.ToArray());
        request.TryEncode(new byte[request.RawData.Length - 1], out _).Should().BeFalse();
        var buffer = new byte[request.RawData.Length + 10];
        request.TryEncode(buffer, out var written).Should().BeTrue();
        written.Should().Be(request.RawData.Length);
    }
}
