using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Math;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;
using BcIssuerAndSerialNumber = Org.BouncyCastle.Asn1.Cms.IssuerAndSerialNumber;

namespace Scep.Protocol.Tests.CrossImplementation;

/// <summary>BouncyCastle builds the requests (as jscep and EJBCA's clients do); the codecs read them.</summary>
public class BcBuiltRequestTests
{
    internal static readonly (ContentEncryptionAlgorithm Algorithm, string Oid)[] Ciphers =
    [
        (ContentEncryptionAlgorithm.DesCbc, CmsEnvelopedGenerator.DesCbc),
        (ContentEncryptionAlgorithm.TripleDesCbc, CmsEnvelopedGenerator.DesEde3Cbc),
        (ContentEncryptionAlgorithm.Aes128Cbc, CmsEnvelopedGenerator.Aes128Cbc),
        (ContentEncryptionAlgorithm.Aes192Cbc, CmsEnvelopedGenerator.Aes192Cbc),
        (ContentEncryptionAlgorithm.Aes256Cbc, CmsEnvelopedGenerator.Aes256Cbc),
    ];

    internal static readonly (HashAlgorithmName Digest, string Oid)[] Digests =
    [
        (HashAlgorithmName.MD5, CmsSignedGenerator.DigestMD5),
        (HashAlgorithmName.SHA1, CmsSignedGenerator.DigestSha1),
        (HashAlgorithmName.SHA256, CmsSignedGenerator.DigestSha256),
        (HashAlgorithmName.SHA512, CmsSignedGenerator.DigestSha512),
    ];

    public static IEnumerable<TestCaseData> EveryAlgorithmAndEncoding()
    {
        foreach (var (cipher, cipherOid) in Ciphers)
        {
            foreach (var (digest, digestOid) in Digests)
            {
                foreach (var streaming in new[] { false, true })
                {
                    yield return new TestCaseData(cipher, cipherOid, digest, digestOid, streaming)
                        .SetName($"PkcsReq_BcBuilt_{cipher}_{digest.Name}_{(streaming ? "StreamedBer" : "Buffered")}_IsReadByTheCodec");
                }
            }
        }
    }

    [TestCaseSource(nameof(EveryAlgorithmAndEncoding))]
    public void PkcsReq_BuiltByBouncyCastle_DecodesVerifiesAndDecrypts(
        ContentEncryptionAlgorithm cipher, string cipherOid, HashAlgorithmName digest, string digestOid, bool streaming)
    {
        var ca = TestPki.Ca;
        var key = TestPki.CachedRsa(1);
        var client = TestPki.CreateSelfSigned("CN=device-1", key);
        var csr = BcScep.Pkcs10("CN=device-1", key, "secret-123");
        var nonce = RandomNumberGenerator.GetBytes(16);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "tid-bc-1", nonce, signingTime: Scenario.Now);
        var envelope = BcScep.Envelope(csr, ca.Certificate, cipherOid, streaming);
        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = client, DigestOid = digestOid, Streaming = streaming });
        (encoded[1] == 0x80).Should().Be(streaming, "the streaming generator writes indefinite lengths, the other definite ones");

        var message = PkiMessage.Decode(encoded);

        message.MessageType.Should().Be(MessageType.PKCSReq);
        message.TransactionId.Should().Be("tid-bc-1");
        message.SenderNonce.ToArray().Should().Equal(nonce);
        message.RecipientNonce.IsEmpty.Should().BeTrue();
        message.Status.Should().BeNull();
        message.SigningTime.Should().Be(Scenario.Now);
        message.DigestAlgorithm.Should().Be(digest);
        message.SignerCertificate!.RawData.Should().Equal(client.Certificate.RawData);
        message.Envelope!.ContentEncryptionAlgorithm.Should().Be(cipher);
        message.Envelope.Recipients.Single().Matches(ca.Certificate).Should().BeTrue();
        message.VerifySignature(ScepAlgorithmPolicy.Legacy).RawData.Should().Equal(client.Certificate.RawData);

        var content = message.Decrypt(ca.Certificate, ca.Rsa, ScepAlgorithmPolicy.Legacy);

        content.EncryptionAlgorithm.Should().Be(cipher);
        content.RawData.ToArray().Should().Equal(csr);
        var request = content.CertificationRequest!;
        request.ChallengePassword.Should().Be("secret-123");
        request.ChallengePasswordEncoding.Should().Be(System.Formats.Asn1.UniversalTagNumber.PrintableString);
        request.CommonName.Should().Be("device-1");
        request.HasSamePublicKeyAs(client.Certificate).Should().BeTrue();
        request.VerifyProofOfPossession();
    }

    public static IEnumerable<TestCaseData> EveryRequestTypeAndEncoding()
    {
        foreach (var type in new[] { MessageType.PKCSReq, MessageType.RenewalReq, MessageType.CertPoll, MessageType.GetCert, MessageType.GetCRL })
        {
            foreach (var streaming in new[] { false, true })
            {
                yield return new TestCaseData(type, streaming)
                    .SetName($"{type}_BcBuilt_{(streaming ? "StreamedBer" : "Buffered")}_IsReadByTheCodec");
            }
        }
    }

    [TestCaseSource(nameof(EveryRequestTypeAndEncoding))]
    public void Request_OfEachType_BuiltByBouncyCastle_ParsesItsMessageData(MessageType type, bool streaming)
    {
        var ca = TestPki.Ca;
        var oldKey = TestPki.CachedRsa(1);
        var signer = type == MessageType.PKCSReq
            ? TestPki.CreateSelfSigned("CN=device-1", oldKey)
            : TestPki.Issue(ca, "CN=device-1", oldKey);
        var csrKey = type == MessageType.RenewalReq ? TestPki.CachedRsa(4) : oldKey;
        var caName = X509Name.GetInstance(Asn1Object.FromByteArray(ca.Certificate.SubjectName.RawData));
        var serial = new BigInteger(1, signer.Certificate.SerialNumberBytes.ToArray());
        var messageData = type switch
        {
            MessageType.PKCSReq or MessageType.RenewalReq => BcScep.Pkcs10("CN=device-1", (RSA)csrKey, type == MessageType.PKCSReq ? "secret-123" : null),
            MessageType.CertPoll => new DerSequence(caName, new X509Name("CN=device-1")).GetEncoded(Asn1Encodable.Der),
            _ => new BcIssuerAndSerialNumber(caName, serial).GetEncoded(Asn1Encodable.Der),
        };
        var attributes = BcScep.SignedAttributes(type, "tid-" + type, RandomNumberGenerator.GetBytes(16));
        var envelope = BcScep.Envelope(messageData, ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc, streaming);
        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = signer, Streaming = streaming });

        var message = PkiMessage.Decode(encoded);
        message.VerifySignature().RawData.Should().Equal(signer.Certificate.RawData);
        var content = message.Decrypt(ca.Certificate, ca.Rsa);

        message.MessageType.Should().Be(type);
        message.TransactionId.Should().Be("tid-" + type);
        content.RawData.ToArray().Should().Equal(messageData);
        switch (type)
        {
            case MessageType.PKCSReq:
                content.CertificationRequest!.ChallengePassword.Should().Be("secret-123");
                RenewalDetection.Classify(message, content.CertificationRequest, [ca.Certificate]).Kind.Should().Be(EnrollmentKind.InitialEnrollment);
                break;
            case MessageType.RenewalReq:
                content.CertificationRequest!.ChallengePassword.Should().BeNull();
                content.CertificationRequest.VerifyProofOfPossession();
                var renewal = RenewalDetection.Classify(message, content.CertificationRequest, [ca.Certificate]);
                renewal.Kind.Should().Be(EnrollmentKind.Renewal);
                renewal.ReusesKey.Should().BeFalse();
                break;
            case MessageType.CertPoll:
                content.IssuerAndSubject!.Issuer.RawData.Should().Equal(ca.Certificate.SubjectName.RawData);
                content.IssuerAndSubject.Subject.Name.Should().Be("CN=device-1");
                break;
            default:
                content.IssuerAndSerialNumber!.Matches(signer.Certificate).Should().BeTrue();
                content.IssuerAndSerialNumber.SerialNumberHex.Should().Be(signer.Certificate.SerialNumber);
                break;
        }
    }
}
