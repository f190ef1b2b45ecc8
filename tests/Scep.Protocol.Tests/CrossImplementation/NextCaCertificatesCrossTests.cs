using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;

namespace Scep.Protocol.Tests.CrossImplementation;

/// <summary>GetNextCACert (RFC 8894 §4.7) between BouncyCastle and the codecs, in the RFC shape and in jscep's.</summary>
public class NextCaCertificatesCrossTests
{
    private static readonly Lazy<(TestCredential Ca, TestCredential Ra)> Next = new(() =>
    {
        // A rollover keeps the CA's name and changes its key.
        var ca = TestPki.CreateCa(TestPki.Ca.Certificate.Subject, TestPki.CachedRsa(6));
        var ra = TestPki.CreateRa(ca, "CN=Scep Test RA G2", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(7));
        return (ca, ra);
    });

    [TestCase(false, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    public void JscepShapedReply_BuiltByBouncyCastle_YieldsTheNextCertificatesAndVerifiesAgainstTheCurrentCa(bool streaming, bool signerCertificateIncluded)
    {
        var current = TestPki.Ca;
        var (nextCa, nextRa) = Next.Value;
        var attributes = new AttributeTable(new Org.BouncyCastle.Asn1.Asn1EncodableVector());
        var encoded = BcScep.Sign(null, attributes, new BcSignature
        {
            Signer = current,
            Streaming = streaming,
            Certificates = signerCertificateIncluded
                ? [current.Certificate, nextCa.Certificate, nextRa.Certificate]
                : [nextCa.Certificate, nextRa.Certificate],
        });

        var reply = NextCaCertificates.Decode(encoded);

        reply.Next.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo(
            [nextCa.Certificate.Thumbprint, nextRa.Certificate.Thumbprint], "the signer's own certificate is not a next certificate");
        reply.Next.IssuerCertificate.RawData.Should().Equal(nextCa.Certificate.RawData);
        reply.Next.EncryptionCertificate.RawData.Should().Equal(nextRa.Certificate.RawData);
        reply.VerifySignature([current.Certificate]).RawData.Should().Equal(current.Certificate.RawData);
    }

    [Test]
    public void JscepShapedReply_SignedByTheNextCaItself_IsNotTrusted()
    {
        var (nextCa, _) = Next.Value;
        var encoded = BcScep.Sign(null, new AttributeTable(new Org.BouncyCastle.Asn1.Asn1EncodableVector()), new BcSignature
        {
            Signer = nextCa,
            Certificates = [nextCa.Certificate, TestPki.Ca.Certificate],
        });

        var reply = NextCaCertificates.Decode(encoded);

        FluentActions.Invoking(() => reply.VerifySignature([TestPki.Ca.Certificate]))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
    }

    [TestCase("1.2.840.113549.1.7.1", false)]
    [TestCase("1.2.840.113549.1.7.1", true)]
    [TestCase("1.2.840.113549.1.7.2", false)]
    public void RfcShapedReply_BuiltByBouncyCastle_YieldsTheNextCertificatesAndVerifies(string eContentType, bool streaming)
    {
        var current = TestPki.Ca;
        var (nextCa, nextRa) = Next.Value;
        var degenerate = BcScep.CertificatesOnly([nextRa.Certificate, nextCa.Certificate]);
        var attributes = new AttributeTable(new Org.BouncyCastle.Asn1.Asn1EncodableVector());
        var encoded = BcScep.Sign(degenerate, attributes, new BcSignature { Signer = current, EContentType = eContentType, Streaming = streaming });

        var reply = NextCaCertificates.Decode(encoded);

        reply.Next.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo([nextCa.Certificate.Thumbprint, nextRa.Certificate.Thumbprint]);
        reply.Next.IssuerCertificate.RawData.Should().Equal(nextCa.Certificate.RawData);
        reply.VerifySignature([current.Certificate]).RawData.Should().Equal(current.Certificate.RawData);
    }

    [Test]
    public void RfcShapedReply_WithIdSignedDataAndTheBareSignedDataAsEContent_YieldsTheNextCertificates()
    {
        // RFC 5652 §5.2: eContent is the content itself; for id-signedData that is a SignedData, not a ContentInfo.
        var current = TestPki.Ca;
        var (nextCa, nextRa) = Next.Value;
        var contentInfo = ContentInfo.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(BcScep.CertificatesOnly([nextRa.Certificate, nextCa.Certificate])));
        var bareSignedData = contentInfo.Content.GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
        var attributes = new AttributeTable(new Org.BouncyCastle.Asn1.Asn1EncodableVector());
        var encoded = BcScep.Sign(bareSignedData, attributes, new BcSignature { Signer = current, EContentType = "1.2.840.113549.1.7.2" });

        var reply = NextCaCertificates.Decode(encoded);

        reply.Next.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo([nextCa.Certificate.Thumbprint, nextRa.Certificate.Thumbprint]);
        reply.VerifySignature([current.Certificate]).RawData.Should().Equal(current.Certificate.RawData);
    }

    [TestCase("SHA1")]
    [TestCase("SHA256")]
    [TestCase("SHA512")]
    public void Reply_BuiltByTheCodec_VerifiesInBouncyCastleAndCarriesTheNextCertificates(string digestName)
    {
        var current = TestPki.Ca;
        var (nextCa, nextRa) = Next.Value;
        var digest = new HashAlgorithmName(digestName);

        var reply = NextCaCertificates.Create([nextRa.Certificate, nextCa.Certificate], current.Certificate, current.Key, digest, Scenario.Now);

        var signedData = new CmsSignedData(reply.Encode());
        var signer = BcScep.SingleSigner(signedData);
        signer.Verify(BcConvert.ToBc(current.Certificate)).Should().BeTrue();
        Time.GetInstance(BcScep.Value(signer, CmsAttributes.SigningTime)).ToDateTime().Should().Be(Scenario.Now.UtcDateTime);
        BcScep.Certificates(signedData).Single().RawData.Should().Equal(current.Certificate.RawData, "the outer set carries the signer");
        var inner = new CmsSignedData(((CmsProcessableByteArray)signedData.SignedContent).GetByteArray());
        inner.GetSignerInfos().Count.Should().Be(0, "the content is a degenerate certificates-only SignedData");
        BcScep.Certificates(inner).Select(c => c.Thumbprint).Should().BeEquivalentTo([nextRa.Certificate.Thumbprint, nextCa.Certificate.Thumbprint]);
    }

    [Test]
    public void Reply_BuiltByTheCodec_WithATamperedNextCertificate_FailsInBouncyCastle()
    {
        var current = TestPki.Ca;
        var (nextCa, _) = Next.Value;
        var bytes = NextCaCertificates.Create([nextCa.Certificate], current.Certificate, current.Key, HashAlgorithmName.SHA256, Scenario.Now).Encode();
        var at = bytes.AsSpan().IndexOf(nextCa.Certificate.RawData);
        bytes[at + nextCa.Certificate.RawData.Length - 1] ^= 0x01;

        var signer = BcScep.SingleSigner(new CmsSignedData(bytes));

        FluentActions.Invoking(() => signer.Verify(BcConvert.ToBc(current.Certificate)))
            .Should().Throw<CmsException>("a control: the messageDigest no longer matches the content");
    }
}
