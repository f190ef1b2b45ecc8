using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Pkcs;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;
using ContentInfo = Org.BouncyCastle.Asn1.Cms.ContentInfo;
using SignedData = Org.BouncyCastle.Asn1.Cms.SignedData;

namespace Scep.Protocol.Tests.CrossImplementation;

/// <summary>The codecs build requests and replies; BouncyCastle (the CMS stack of jscep and EJBCA) reads them.</summary>
public class BcReadsCodecMessagesTests
{
    private static readonly HashAlgorithmName[] Digests =
        [HashAlgorithmName.MD5, HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512];

    private static readonly Dictionary<HashAlgorithmName, string> DigestOids = new()
    {
        [HashAlgorithmName.MD5] = CmsSignedGenerator.DigestMD5,
        [HashAlgorithmName.SHA1] = CmsSignedGenerator.DigestSha1,
        [HashAlgorithmName.SHA256] = CmsSignedGenerator.DigestSha256,
        [HashAlgorithmName.SHA384] = CmsSignedGenerator.DigestSha384,
        [HashAlgorithmName.SHA512] = CmsSignedGenerator.DigestSha512,
    };

    public static IEnumerable<TestCaseData> EveryAlgorithm()
    {
        foreach (var cipher in Enum.GetValues<ContentEncryptionAlgorithm>())
        {
            foreach (var digest in Digests)
            {
                yield return new TestCaseData(cipher, digest).SetName($"PkcsReq_Codec_{cipher}_{digest.Name}_IsReadByBouncyCastle");
            }
        }
    }

    [TestCaseSource(nameof(EveryAlgorithm))]
    public void PkcsReq_BuiltByTheCodec_VerifiesAndDecryptsInBouncyCastle(ContentEncryptionAlgorithm cipher, HashAlgorithmName digest)
    {
        var ca = TestPki.Ca;
        var (request, client, csr) = Scenario.PkcsReq(ca, cipher, digest);

        var signer = BcScep.VerifySingleSigner(request.RawData, client.Certificate);

        signer.DigestAlgorithmID.Algorithm.Id.Should().Be(DigestOids[digest]);
        BcScep.PrintableString(signer, BcScep.TransactionIdOid).Should().Be(request.TransactionId);
        BcScep.PrintableString(signer, BcScep.MessageTypeOid).Should().Be("19");
        BcScep.OctetString(signer, BcScep.SenderNonceOid).Should().Equal(request.SenderNonce.ToArray());
        BcScep.Value(signer, BcScep.RecipientNonceOid).Should().BeNull();
        BcScep.Value(signer, BcScep.PkiStatusOid).Should().BeNull();
        BcScep.Value(signer, CmsAttributes.ContentType).Should().Be(CmsObjectIdentifiers.Data);
        BcScep.OctetString(signer, CmsAttributes.MessageDigest).Should().Equal(CryptographicOperations.HashData(digest, request.Content.Span));
        Time.GetInstance(BcScep.Value(signer, CmsAttributes.SigningTime)).ToDateTime().Should().Be(Scenario.Now.UtcDateTime);

        var messageData = BcScep.Decrypt(request.Content, ca);

        messageData.Should().Equal(csr.RawData.ToArray());
        var bcCsr = new Pkcs10CertificationRequest(messageData);
        bcCsr.Verify().Should().BeTrue("BouncyCastle checks the proof of possession");
        var password = bcCsr.GetCertificationRequestInfo().Attributes.Cast<Asn1Encodable>().Select(AttributePkcs.GetInstance)
            .Single(a => a.AttrType.Equals(PkcsObjectIdentifiers.Pkcs9AtChallengePassword));
        DerPrintableString.GetInstance(password.AttrValues[0]).GetString().Should().Be("secret-123");
    }

    [TestCase(MessageType.RenewalReq)]
    [TestCase(MessageType.CertPoll)]
    [TestCase(MessageType.GetCert)]
    [TestCase(MessageType.GetCRL)]
    public void Request_OfEachType_BuiltByTheCodec_DecryptsInBouncyCastleToTheExactMessageData(MessageType type)
    {
        var ca = TestPki.Ca;
        var signer = TestPki.Issue(ca, "CN=device-1", TestPki.CachedRsa(1));
        var parameters = Scenario.RequestParameters(signer, ca.Certificate);
        byte[] messageData = type switch
        {
            MessageType.RenewalReq => Scenario.Csr("CN=device-1", TestPki.CachedRsa(4), challenge: null).Encode(),
            MessageType.CertPoll => IssuerAndSubject.Create(ca.Certificate.SubjectName, new X500DistinguishedName("CN=device-1")).Encode(),
            _ => IssuerAndSerialNumber.FromCertificate(signer.Certificate).Encode(),
        };
        var request = type switch
        {
            MessageType.RenewalReq => PkiMessage.CreateRenewalReq(Pkcs10Request.Decode(messageData), parameters),
            MessageType.CertPoll => PkiMessage.CreateCertPoll(IssuerAndSubject.Decode(messageData), parameters),
            MessageType.GetCert => PkiMessage.CreateGetCert(IssuerAndSerialNumber.Decode(messageData), parameters),
            _ => PkiMessage.CreateGetCrl(IssuerAndSerialNumber.Decode(messageData), parameters),
        };

        var bcSigner = BcScep.VerifySingleSigner(request.RawData, signer.Certificate);

        BcScep.PrintableString(bcSigner, BcScep.MessageTypeOid).Should().Be(((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture));
        BcScep.Decrypt(request.Content, ca).Should().Equal(messageData);
        if (type is MessageType.GetCert or MessageType.GetCRL)
        {
            var bcId = Org.BouncyCastle.Asn1.Cms.IssuerAndSerialNumber.GetInstance(Asn1Object.FromByteArray(messageData));
            bcId.SerialNumber.Value.ToByteArrayUnsigned().Should().Equal(signer.Certificate.SerialNumberBytes.ToArray());
        }
    }

    [TestCase(KeyTransportAlgorithm.RsaOaepSha1)]
    [TestCase(KeyTransportAlgorithm.RsaOaepSha256)]
    public void Request_WithOaepKeyTransport_BuiltByTheCodec_DecryptsInBouncyCastle(KeyTransportAlgorithm keyTransport)
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=windows", TestPki.CachedRsa(2));
        var csr = Scenario.Csr("CN=windows", client.Key);
        var request = PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(client, ca.Certificate, keyTransport: keyTransport));

        var recipient = new CmsEnvelopedData(request.Content.ToArray()).GetRecipientInfos().GetRecipients().Single();

        recipient.KeyEncryptionAlgOid.Should().Be(PkcsObjectIdentifiers.IdRsaesOaep.Id);
        var parameters = RsaesOaepParameters.GetInstance(recipient.KeyEncryptionAlgParams);
        parameters.HashAlgorithm.Algorithm.Id.Should().Be(keyTransport == KeyTransportAlgorithm.RsaOaepSha1 ? "1.3.14.3.2.26" : "2.16.840.1.101.3.4.2.1");
        BcScep.Decrypt(request.Content, ca).Should().Equal(csr.RawData.ToArray());
    }

    public static IEnumerable<TestCaseData> EveryReplyAlgorithm()
    {
        foreach (var cipher in Enum.GetValues<ContentEncryptionAlgorithm>())
        {
            foreach (var digest in Digests)
            {
                yield return new TestCaseData(cipher, digest).SetName($"CertRepSuccess_Codec_{cipher}_{digest.Name}_IsReadByBouncyCastle");
            }
        }
    }

    [TestCaseSource(nameof(EveryReplyAlgorithm))]
    public void CertRepSuccess_BuiltByTheCodec_VerifiesDecryptsAndListsTheIssuedCertificateFirstInBouncyCastle(
        ContentEncryptionAlgorithm cipher, HashAlgorithmName digest)
    {
        var ca = TestPki.Ca;
        var (request, client, _) = Scenario.PkcsReq(ca, cipher, digest);
        var issued = TestPki.Issue(ca, "CN=device-1,O=Example", client.Key);
        var certificates = DegenerateCertificateSet.Create([issued.Certificate, ca.Certificate]);
        var reply = CertRep.CreateSuccess(request, certificates, Scenario.ReplyParameters(ca));

        var signer = BcScep.VerifySingleSigner(reply.RawData, ca.Certificate);

        signer.Verify(BcConvert.ToBc(ca.Certificate)).Should().BeTrue("the CA certificate is valid at the reply's signingTime");
        signer.DigestAlgorithmID.Algorithm.Id.Should().Be(DigestOids[digest], "the reply mirrors the request's digest");
        BcScep.PrintableString(signer, BcScep.MessageTypeOid).Should().Be("3");
        BcScep.PrintableString(signer, BcScep.PkiStatusOid).Should().Be("0");
        BcScep.PrintableString(signer, BcScep.TransactionIdOid).Should().Be(request.TransactionId);
        BcScep.OctetString(signer, BcScep.RecipientNonceOid).Should().Equal(request.SenderNonce.ToArray());
        BcScep.OctetString(signer, BcScep.SenderNonceOid).Should().Equal(reply.SenderNonce.ToArray()).And.HaveCount(16);
        BcScep.Value(signer, BcScep.FailInfoOid).Should().BeNull();
        BcScep.Value(signer, CmsAttributes.ContentType).Should().Be(CmsObjectIdentifiers.Data);
        BcScep.OctetString(signer, CmsAttributes.MessageDigest).Should().Equal(CryptographicOperations.HashData(digest, reply.Content.Span));
        Time.GetInstance(BcScep.Value(signer, CmsAttributes.SigningTime)).ToDateTime().Should().Be(Scenario.Now.UtcDateTime);
        new CmsEnvelopedData(reply.Content.ToArray()).EncryptionAlgOid.Should().Be(BcBuiltRequestTests.Ciphers.Single(c => c.Algorithm == cipher).Oid);

        var messageData = BcScep.Decrypt(reply.Content, client);

        messageData.Should().Equal(certificates.RawData.ToArray());
        var degenerate = SignedData.GetInstance(ContentInfo.GetInstance(Asn1Object.FromByteArray(messageData)).Content);
        degenerate.SignerInfos.Count.Should().Be(0);
        degenerate.Certificates.Cast<Asn1Encodable>().Select(c => c.GetEncoded(Asn1Encodable.Der)).Should().BeEquivalentTo(
            [issued.Certificate.RawData, ca.Certificate.RawData], o => o.WithStrictOrdering(), "the issued certificate comes first");
        BcScep.Certificates(new CmsSignedData(messageData)).Should().HaveCount(2);
    }

    [TestCase(FailInfo.BadAlg)]
    [TestCase(FailInfo.BadMessageCheck)]
    [TestCase(FailInfo.BadRequest)]
    [TestCase(FailInfo.BadTime)]
    [TestCase(FailInfo.BadCertId)]
    public void CertRepFailure_BuiltByTheCodec_VerifiesInBouncyCastleWithFailInfoAndText(FailInfo failInfo)
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca);
        var reply = CertRep.CreateFailure(request, failInfo, "Enrollment refused: ünïcode", Scenario.ReplyParameters(ca));

        var signedData = new CmsSignedData(reply.RawData.ToArray());
        var signer = BcScep.VerifySingleSigner(reply.RawData, ca.Certificate);

        var content = new System.IO.MemoryStream();
        signedData.SignedContent.Write(content);
        content.ToArray().Should().BeEmpty("FAILURE carries an empty eContent (OpenSSL's PKCS7_verify refuses an absent one)");
        BcScep.PrintableString(signer, BcScep.PkiStatusOid).Should().Be("2");
        BcScep.PrintableString(signer, BcScep.FailInfoOid).Should().Be(((int)failInfo).ToString(System.Globalization.CultureInfo.InvariantCulture));
        DerUtf8String.GetInstance(BcScep.Value(signer, BcScep.FailInfoTextOid)).GetString().Should().Be("Enrollment refused: ünïcode");
        BcScep.OctetString(signer, BcScep.RecipientNonceOid).Should().Equal(request.SenderNonce.ToArray());
        BcScep.PrintableString(signer, BcScep.TransactionIdOid).Should().Be(request.TransactionId);
        BcScep.OctetString(signer, CmsAttributes.MessageDigest).Should().Equal(SHA256.HashData(ReadOnlySpan<byte>.Empty));
    }

    [Test]
    public void CertRepPending_BuiltByTheCodec_VerifiesInBouncyCastle()
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca, digest: HashAlgorithmName.SHA512);
        var reply = CertRep.CreatePending(request, Scenario.ReplyParameters(ca));

        var signer = BcScep.VerifySingleSigner(reply.RawData, ca.Certificate);

        signer.DigestAlgorithmID.Algorithm.Id.Should().Be(CmsSignedGenerator.DigestSha512);
        BcScep.PrintableString(signer, BcScep.PkiStatusOid).Should().Be("3");
        BcScep.Value(signer, BcScep.FailInfoOid).Should().BeNull();
        BcScep.OctetString(signer, BcScep.RecipientNonceOid).Should().Equal(request.SenderNonce.ToArray());
    }

    [Test]
    public void CertRep_SignedWithEcdsaByTheCodec_VerifiesInBouncyCastle()
    {
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecCa = TestPki.CreateCa("CN=EC CA", ecKey);
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var reply = CertRep.CreatePending(request, Scenario.ReplyParameters(ecCa));

        var signedData = new CmsSignedData(new CmsProcessableByteArray([]), reply.RawData.ToArray());
        var signer = BcScep.SingleSigner(signedData);

        signer.SignatureAlgorithm.Algorithm.Id.Should().Be("1.2.840.10045.4.3.2");
        signer.Verify(BcConvert.ToBc(ecCa.Certificate)).Should().BeTrue();
    }

    [Test]
    public void Request_WithATamperedSignedAttribute_IsRejectedByBouncyCastle()
    {
        var (request, client, _) = Scenario.PkcsReq(TestPki.Ca);
        var bytes = request.Encode();
        var transactionId = System.Text.Encoding.ASCII.GetBytes(request.TransactionId);
        var at = bytes.AsSpan().IndexOf(transactionId);
        bytes[at] ^= 0x01;

        var signer = BcScep.SingleSigner(new CmsSignedData(bytes));

        signer.Verify(BcConvert.ToBc(client.Certificate).GetPublicKey()).Should().BeFalse("a control: BouncyCastle's verification can fail");
    }
}
