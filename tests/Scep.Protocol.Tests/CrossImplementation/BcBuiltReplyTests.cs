using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Cms;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;

namespace Scep.Protocol.Tests.CrossImplementation;

/// <summary>BouncyCastle builds the CertRep replies (as EJBCA and jscep servers do); the codecs read them.</summary>
public class BcBuiltReplyTests
{
    public static IEnumerable<TestCaseData> EveryAlgorithmAndEncoding()
    {
        foreach (var (cipher, cipherOid) in BcBuiltRequestTests.Ciphers)
        {
            foreach (var (digest, digestOid) in BcBuiltRequestTests.Digests)
            {
                foreach (var streaming in new[] { false, true })
                {
                    yield return new TestCaseData(cipher, cipherOid, digest, digestOid, streaming)
                        .SetName($"CertRepSuccess_BcBuilt_{cipher}_{digest.Name}_{(streaming ? "StreamedBer" : "Buffered")}_IsReadByTheCodec");
                }
            }
        }
    }

    [TestCaseSource(nameof(EveryAlgorithmAndEncoding))]
    public void CertRepSuccess_BuiltByBouncyCastle_MatchesTheRequestAndDeliversTheIssuedCertificate(
        ContentEncryptionAlgorithm cipher, string cipherOid, HashAlgorithmName digest, string digestOid, bool streaming)
    {
        var ca = TestPki.Ca;
        var (request, client, csr) = Scenario.PkcsReq(ca);
        var issued = TestPki.Issue(ca, "CN=device-1,O=Example", client.Key);
        var replyNonce = RandomNumberGenerator.GetBytes(16);
        var certificates = BcScep.CertificatesOnly([issued.Certificate, ca.Certificate]);
        var envelope = BcScep.Envelope(certificates, client.Certificate, cipherOid, streaming);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, replyNonce, request.SenderNonce.ToArray(), PkiStatus.Success, signingTime: Scenario.Now);
        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = ca, DigestOid = digestOid, Streaming = streaming });

        var reply = PkiMessage.Decode(encoded);

        reply.MessageType.Should().Be(MessageType.CertRep);
        reply.Status.Should().Be(PkiStatus.Success);
        reply.FailInfo.Should().BeNull();
        reply.FailInfoText.Should().BeNull();
        reply.TransactionId.Should().Be(request.TransactionId);
        reply.SenderNonce.ToArray().Should().Equal(replyNonce);
        reply.RecipientNonce.ToArray().Should().Equal(request.SenderNonce.ToArray());
        reply.SigningTime.Should().Be(Scenario.Now);
        reply.DigestAlgorithm.Should().Be(digest);
        reply.EnsureIsReplyTo(request);
        reply.VerifySignature(ScepAlgorithmPolicy.Legacy).RawData.Should().Equal(ca.Certificate.RawData);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(cipher);

        var content = reply.Decrypt(client.Certificate, client.Rsa, ScepAlgorithmPolicy.Legacy);

        content.EncryptionAlgorithm.Should().Be(cipher);
        var set = content.CertificateSet!;
        set.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo([issued.Certificate.Thumbprint, ca.Certificate.Thumbprint]);
        set.FindByPublicKey(csr.PublicKey)!.RawData.Should().Equal(issued.Certificate.RawData);
        set.Crls.Should().BeEmpty();
    }

    [Test]
    public void GetCrlSuccess_BuiltByBouncyCastle_DeliversTheCrl()
    {
        var ca = TestPki.Ca;
        var client = TestPki.Issue(ca, "CN=device-1", TestPki.CachedRsa(1));
        var request = PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(client.Certificate), Scenario.RequestParameters(client, ca.Certificate));
        var crlBuilder = new CertificateRevocationListBuilder();
        crlBuilder.AddEntry(TestPki.NextSerial(), Scenario.Now.AddDays(-1));
        using var caWithKey = ca.Certificate.CopyWithPrivateKey(ca.Rsa);
        var crl = crlBuilder.Build(caWithKey, BigInteger.One, Scenario.Now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, Scenario.Now);
        var envelope = BcScep.Envelope(BcScep.CertificatesOnly([], [crl]), client.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), request.SenderNonce.ToArray(), PkiStatus.Success);
        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = ca });

        var reply = PkiMessage.Decode(encoded);
        reply.EnsureIsReplyTo(request);
        reply.VerifySignature();
        var set = reply.Decrypt(client.Certificate, client.Rsa).CertificateSet!;

        set.Certificates.Should().BeEmpty();
        set.Crls.Single().ToArray().Should().Equal(crl);
    }

    public static IEnumerable<TestCaseData> EveryFailInfoAndEncoding()
    {
        foreach (var failInfo in Enum.GetValues<FailInfo>())
        {
            foreach (var streaming in new[] { false, true })
            {
                yield return new TestCaseData(failInfo, streaming)
                    .SetName($"CertRepFailure_BcBuilt_{failInfo}_{(streaming ? "StreamedBer" : "Buffered")}_IsReadByTheCodec");
            }
        }
    }

    [TestCaseSource(nameof(EveryFailInfoAndEncoding))]
    public void CertRepFailure_BuiltByBouncyCastle_CarriesFailInfoAndText(FailInfo failInfo, bool streaming)
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), request.SenderNonce.ToArray(),
            PkiStatus.Failure, failInfo, "Abgelehnt: Kennwort ungültig (Ω)", Scenario.Now);
        var encoded = BcScep.Sign(null, attributes, new BcSignature { Signer = ca, DigestOid = CmsSignedGenerator.DigestSha1, Streaming = streaming });

        var reply = PkiMessage.Decode(encoded);

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(failInfo);
        reply.FailInfoText.Should().Be("Abgelehnt: Kennwort ungültig (Ω)");
        reply.Content.IsEmpty.Should().BeTrue("eContent is absent");
        reply.Envelope.Should().BeNull();
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA1);
        reply.EnsureIsReplyTo(request);
        reply.VerifySignature().RawData.Should().Equal(ca.Certificate.RawData);
        FluentActions.Invoking(() => reply.Decrypt(ca.Certificate, ca.Rsa))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.MissingContent);
    }

    [TestCase(false, false, TestName = "CertRepPending_BcBuilt_AbsentEContent_Buffered_VerifiesAndAnswersTheRequest")]
    [TestCase(true, false, TestName = "CertRepPending_BcBuilt_AbsentEContent_StreamedBer_VerifiesAndAnswersTheRequest")]
    [TestCase(false, true, TestName = "CertRepPending_BcBuilt_EmptyEContent_Buffered_VerifiesAndAnswersTheRequest")]
    [TestCase(true, true, TestName = "CertRepPending_BcBuilt_EmptyEContent_StreamedBer_VerifiesAndAnswersTheRequest")]
    public void CertRepPending_BuiltByBouncyCastle_WithoutContent_VerifiesAndAnswersTheRequest(bool streaming, bool emptyEContent)
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), request.SenderNonce.ToArray(), PkiStatus.Pending);
        var encoded = BcScep.Sign(emptyEContent ? [] : null, attributes, new BcSignature { Signer = ca, Streaming = streaming });
        (new CmsSignedData(encoded).SignedContent is not null).Should().Be(emptyEContent, "the premise: eContent present or absent");

        var reply = PkiMessage.Decode(encoded);

        reply.Status.Should().Be(PkiStatus.Pending);
        reply.FailInfo.Should().BeNull();
        reply.Content.IsEmpty.Should().BeTrue();
        reply.EnsureIsReplyTo(request);
        reply.VerifySignature().RawData.Should().Equal(ca.Certificate.RawData);
    }

    [Test]
    public void CertRep_BuiltByBouncyCastle_ForAnotherRequest_FailsEnsureIsReplyTo()
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16), PkiStatus.Pending);
        var reply = PkiMessage.Decode(BcScep.Sign(null, attributes, new BcSignature { Signer = ca }));

        FluentActions.Invoking(() => reply.EnsureIsReplyTo(request))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.ReplyMismatch);
    }
}
