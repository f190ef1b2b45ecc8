using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>GetNextCACert replies (RFC 8894 §4.7; reference §3.4 and §13 #25): signed by the current CA, verified before use.</summary>
public class NextCaCertificatesTests
{
    private TestCredential _current = null!;
    private TestCredential _currentRa = null!;
    private TestCredential _next = null!;
    private TestCredential _nextRa = null!;
    private TestCredential _unrelated = null!;

    [OneTimeSetUp]
    public void CreatePki()
    {
        _current = TestPki.CreateCa("CN=Current CA,O=Scep.Protocol Tests", TestPki.CachedRsa(70, 1024));
        _currentRa = TestPki.CreateRa(_current, "CN=Current RA", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(71, 1024));
        _next = TestPki.CreateCa("CN=Next CA,O=Scep.Protocol Tests", TestPki.CachedRsa(72, 1024));
        _nextRa = TestPki.CreateRa(_next, "CN=Next RA", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(73, 1024));
        _unrelated = TestPki.CreateCa("CN=Current CA,O=Somebody Else", TestPki.CachedRsa(74, 1024));
    }

    private NextCaCertificates CreateReply(TestCredential? signer = null) =>
        NextCaCertificates.Create([_nextRa.Certificate, _next.Certificate], (signer ?? _current).Certificate, (signer ?? _current).Key, HashAlgorithmName.SHA256, Scenario.Now);

    [Test]
    public void CreateDecodeVerify_SignedByTheCurrentCa_YieldsTheNextCertificates()
    {
        var decoded = NextCaCertificates.Decode(CreateReply().Encode());

        decoded.VerifySignature([_current.Certificate]).RawData.Should().Equal(_current.Certificate.RawData);
        decoded.Next.Certificates.Select(c => c.RawData).Should().BeEquivalentTo(
            [_nextRa.Certificate.RawData, _next.Certificate.RawData], o => o.WithStrictOrdering());
        decoded.Next.IssuerCertificate.RawData.Should().Equal(_next.Certificate.RawData);
        decoded.Next.EncryptionCertificate.RawData.Should().Equal(_nextRa.Certificate.RawData);
    }

    [Test]
    public void VerifySignature_SignedByTheCurrentRa_ReturnsTheRa()
    {
        var decoded = NextCaCertificates.Decode(CreateReply(_currentRa).Encode());

        decoded.VerifySignature([_current.Certificate, _currentRa.Certificate]).RawData.Should().Equal(_currentRa.Certificate.RawData);
    }

    [Test]
    public void VerifySignature_AgainstAnUnrelatedCertificate_IsSignerCertificateNotFound()
    {
        var decoded = NextCaCertificates.Decode(CreateReply().Encode());

        var error = FluentActions.Invoking(() => decoded.VerifySignature([_unrelated.Certificate, _next.Certificate]))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.SignerCertificateNotFound);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_SignedByAnUnrelatedKeyThatClaimsTheCurrentCa_IsSignatureInvalid()
    {
        // The sid names the trusted CA, but another key signed.
        var forged = MessageSurgery.Edit(CreateReply(_unrelated).RawData, m =>
        {
            m.Signer.Children[1] = AsnNode.Parse(IssuerAndSerialNumber.FromCertificate(_current.Certificate).Encode());
            m.Resign(_unrelated.Key);
        });

        FluentActions.Invoking(() => NextCaCertificates.Decode(forged).VerifySignature([_current.Certificate]))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SignatureInvalid);
    }

    [Test]
    public void VerifySignature_SignatureTampered_IsSignatureInvalid()
    {
        var tampered = MessageSurgery.Edit(CreateReply().RawData, m => m.Signature.Content = MessageSurgery.Flip(m.Signature.Content, 10));

        var error = FluentActions.Invoking(() => NextCaCertificates.Decode(tampered).VerifySignature([_current.Certificate]))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.SignatureInvalid);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifySignature_NextCertificatesSwappedWithoutResigning_IsContentDigestMismatch()
    {
        var swapped = MessageSurgery.Edit(CreateReply().RawData, m => m.EContent = DegenerateCertificateSet.Create([_unrelated.Certificate]).Encode());
        var decoded = NextCaCertificates.Decode(swapped);

        decoded.Next.IssuerCertificate.RawData.Should().Equal(_unrelated.Certificate.RawData, "decoding implies no trust");
        FluentActions.Invoking(() => decoded.VerifySignature([_current.Certificate]))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.ContentDigestMismatch);
    }

    [Test]
    public void Decode_JscepShapeWithTheNextCertificatesOutside_IsReadAndVerifies()
    {
        // jscep: no eContent; the next certificates sit in the outer certificates field beside the signer's.
        var jscep = MessageSurgery.Edit(CreateReply().RawData, m =>
        {
            m.EContent = null;
            m.Certificates!.Children.Add(AsnNode.Parse(_next.Certificate.RawData));
            m.Certificates.Children.Add(AsnNode.Parse(_nextRa.Certificate.RawData));
            m.Resign(_current.Key);
        });

        var decoded = NextCaCertificates.Decode(jscep);

        decoded.VerifySignature([_current.Certificate]);
        decoded.Next.Certificates.Select(c => c.RawData).Should().BeEquivalentTo(
            [_next.Certificate.RawData, _nextRa.Certificate.RawData], o => o.WithStrictOrdering());
        decoded.Next.IssuerCertificate.RawData.Should().Equal(_next.Certificate.RawData);
    }

    [Test]
    public void Decode_JscepShapeWithOnlyTheSignerCertificate_IsMalformed()
    {
        var empty = MessageSurgery.Edit(CreateReply().RawData, m => m.EContent = null);

        FluentActions.Invoking(() => NextCaCertificates.Decode(empty)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_TrailingBytes_IsMalformed()
    {
        var body = CreateReply().Encode().Concat(new byte[] { 0x00, 0x00 }).ToArray();

        FluentActions.Invoking(() => NextCaCertificates.Decode(body)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_DegenerateSetWithoutSigner_IsNotPkiMessage()
    {
        var unsigned = DegenerateCertificateSet.Create([_next.Certificate]).Encode();

        FluentActions.Invoking(() => NextCaCertificates.Decode(unsigned)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.NotPkiMessage);
    }

    [Test]
    public void Decode_ASingleCertificate_IsMalformed()
    {
        FluentActions.Invoking(() => NextCaCertificates.Decode(_next.Certificate.RawData)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.Malformed);
    }
}
