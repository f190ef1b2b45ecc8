using System.Security.Cryptography;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>The reasons <see cref="PkiMessage.VerifySignature"/> gives (RFC 8894 §3.2; reference §10.1 steps 5 to 7).</summary>
public class PkiMessageSignatureErrorTests
{
    private PkiMessage _request = null!;
    private TestCredential _client = null!;

    [OneTimeSetUp]
    public void CreateRequest()
    {
        (_request, _client, _) = Scenario.PkcsReq(TestPki.Ca);
    }

    private static ScepException VerifyFails(byte[] encoded, ScepAlgorithmPolicy? policy = null)
    {
        var message = PkiMessage.Decode(encoded);
        return FluentActions.Invoking(() => message.VerifySignature(policy)).Should().Throw<ScepException>().Which;
    }

    [Test]
    public void VerifySignature_UntouchedMessage_ReturnsTheSignerCertificate()
    {
        PkiMessage.Decode(_request.Encode()).VerifySignature().RawData.Should().Equal(_client.Certificate.RawData);
    }

    [TestCase(0)]
    [TestCase(100)]
    [TestCase(-1)]
    public void VerifySignature_SignatureByteFlipped_IsSignatureInvalid(int index)
    {
        var tampered = MessageSurgery.Edit(_request, m => m.Signature.Content = MessageSurgery.Flip(m.Signature.Content, index));

        var error = VerifyFails(tampered);

        error.Reason.Should().Be(ScepError.SignatureInvalid);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_SignedAttributeChangedWithoutResigning_IsSignatureInvalid()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.SetAttribute(ScepOids.TransactionId, AsnNode.String(System.Formats.Asn1.UniversalTagNumber.PrintableString, "FORGED")));

        var error = VerifyFails(tampered);

        error.Reason.Should().Be(ScepError.SignatureInvalid);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_EContentAlteredAndNothingResigned_IsContentDigestMismatch()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.EditEnvelope(e => e.EncryptedContent.Content = MessageSurgery.Flip(e.EncryptedContent.Content, 0)));

        var error = VerifyFails(tampered);

        error.Reason.Should().Be(ScepError.ContentDigestMismatch);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_EContentAlteredAndSignedAgain_Verifies()
    {
        var resigned = MessageSurgery.Edit(_request, m => m
            .EditEnvelope(e => e.EncryptedContent.Content = MessageSurgery.Flip(e.EncryptedContent.Content, 0))
            .Resign(_client.Key));

        PkiMessage.Decode(resigned).VerifySignature().RawData.Should().Equal(_client.Certificate.RawData, "the surgery helpers repair what they break");
    }

    [Test]
    public void VerifySignature_ContentTypeAttributeIsNotData_IsContentDigestMismatch()
    {
        var tampered = MessageSurgery.Edit(_request, m => m
            .SetAttribute(ScepOids.ContentType, AsnNode.ObjectIdentifier(ScepOids.EnvelopedData))
            .Resign(_client.Key));

        var error = VerifyFails(tampered);

        error.Reason.Should().Be(ScepError.ContentDigestMismatch);
    }

    [Test]
    public void VerifySignature_MessageDigestAttributeMissing_IsContentDigestMismatch()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.RemoveAttribute(ScepOids.MessageDigest));

        VerifyFails(tampered).Reason.Should().Be(ScepError.ContentDigestMismatch);
    }

    [Test]
    public void VerifySignature_SignerCertificateMissingAndNotSupplied_IsSignerCertificateNotFound()
    {
        var stripped = MessageSurgery.Edit(_request, m => m.SignedData.Children.Remove(m.Certificates!));
        var message = PkiMessage.Decode(stripped);

        message.SignerCertificate.Should().BeNull();
        message.Certificates.Should().BeEmpty();
        var error = FluentActions.Invoking(() => message.VerifySignature()).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.SignerCertificateNotFound);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
        FluentActions.Invoking(() => message.VerifySignature(candidateSigners: [TestPki.Ca.Certificate]))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
    }

    [Test]
    public void VerifySignature_SignerCertificateMissingButSuppliedByTheCaller_Verifies()
    {
        var stripped = MessageSurgery.Edit(_request, m => m.SignedData.Children.Remove(m.Certificates!));

        var signer = PkiMessage.Decode(stripped).VerifySignature(candidateSigners: [TestPki.Ca.Certificate, _client.Certificate]);

        signer.RawData.Should().Equal(_client.Certificate.RawData);
    }

    [Test]
    public void VerifySignature_SidNamesAnotherCertificateInTheMessage_IsSignatureInvalid()
    {
        var ca = TestPki.Ca.Certificate;
        var tampered = MessageSurgery.Edit(_request, m =>
        {
            m.Certificates!.Children.Add(AsnNode.Parse(ca.RawData));
            m.Signer.Children[1] = AsnNode.Parse(IssuerAndSerialNumber.FromCertificate(ca).Encode());
        });
        var message = PkiMessage.Decode(tampered);

        message.SignerCertificate!.RawData.Should().Equal(ca.RawData);
        var error = FluentActions.Invoking(() => message.VerifySignature()).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.SignatureInvalid);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_SidNamesACertificateThatIsNotThere_IsSignerCertificateNotFound()
    {
        var tampered = MessageSurgery.Edit(_request, m =>
            m.Signer.Children[1] = AsnNode.Parse(IssuerAndSerialNumber.FromCertificate(TestPki.Ca.Certificate).Encode()));

        var message = PkiMessage.Decode(tampered);

        message.SignerCertificate.Should().BeNull();
        FluentActions.Invoking(() => message.VerifySignature(candidateSigners: [_client.Certificate]))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
    }

    [Test]
    public void VerifySignature_UnknownDigestAlgorithm_IsUnsupportedAlgorithm()
    {
        const string unknown = "1.3.6.1.4.1.99999.1";
        var tampered = MessageSurgery.Edit(_request, m =>
        {
            m.SignerDigestAlgorithm.Children[0] = AsnNode.ObjectIdentifier(unknown);
            m.DigestAlgorithms[0].Children[0] = AsnNode.ObjectIdentifier(unknown);
        });
        var message = PkiMessage.Decode(tampered);

        message.DigestAlgorithm.Name.Should().Be(unknown, "Decode keeps an unknown OID as the name");
        var error = FluentActions.Invoking(() => message.VerifySignature(ScepAlgorithmPolicy.Legacy)).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void VerifySignature_UnknownSignatureAlgorithm_IsUnsupportedAlgorithm()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.SignatureAlgorithm.Children[0] = AsnNode.ObjectIdentifier(ScepOids.RsaPss));

        var error = VerifyFails(tampered);

        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void VerifySignature_Md5DigestUnderDefaultPolicy_IsAlgorithmNotAllowed()
    {
        var (md5Request, client, _) = Scenario.PkcsReq(TestPki.Ca, digest: HashAlgorithmName.MD5);

        var error = VerifyFails(md5Request.Encode(), ScepAlgorithmPolicy.Default);

        error.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
        md5Request.VerifySignature(ScepAlgorithmPolicy.Legacy).RawData.Should().Equal(client.Certificate.RawData);
    }

    [Test]
    public void VerifySignature_Sha1DigestUnderStrictPolicy_IsAlgorithmNotAllowed()
    {
        var (sha1Request, _, _) = Scenario.PkcsReq(TestPki.Ca, digest: HashAlgorithmName.SHA1);

        VerifyFails(sha1Request.Encode(), ScepAlgorithmPolicy.Strict).Reason.Should().Be(ScepError.AlgorithmNotAllowed);
        sha1Request.VerifySignature(ScepAlgorithmPolicy.Default);
    }

    [Test]
    public void VerifySignature_SignatureAlgorithmNamesAForbiddenHash_IsAlgorithmNotAllowed()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.SignatureAlgorithm.Children[0] = AsnNode.ObjectIdentifier(ScepOids.Md5WithRsa));

        VerifyFails(tampered).Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }
}
