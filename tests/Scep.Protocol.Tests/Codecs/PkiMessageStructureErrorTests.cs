using System;
using System.Collections.Generic;
using System.Linq;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>Inputs that are not a pkiMessage at all (reference §10.1 step 2: the server answers HTTP 400).</summary>
public class PkiMessageStructureErrorTests
{
    private PkiMessage _request = null!;
    private TestCredential _client = null!;

    [OneTimeSetUp]
    public void CreateRequest()
    {
        (_request, _client, _) = Scenario.PkcsReq(TestPki.Ca);
    }

    private static ScepException DecodeFails(ReadOnlyMemory<byte> encoded)
    {
        PkiMessage.TryDecode(encoded, out var message, out var consumed).Should().BeFalse();
        message.Should().BeNull();
        consumed.Should().Be(0);
        return FluentActions.Invoking(() => PkiMessage.Decode(encoded)).Should().Throw<ScepException>().Which;
    }

    [Test]
    public void Decode_EnvelopedDataContentInfo_IsNotPkiMessage()
    {
        var error = DecodeFails(_request.Envelope!.RawData);

        error.Reason.Should().Be(ScepError.NotPkiMessage);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_Empty_IsMalformed()
    {
        DecodeFails(ReadOnlyMemory<byte>.Empty).Reason.Should().Be(ScepError.Malformed);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Decode_RandomBytes_IsMalformed(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[random.Next(1, 2000)];
        random.NextBytes(bytes);

        DecodeFails(bytes).Reason.Should().Be(ScepError.Malformed);
    }

    [TestCase(4)]
    [TestCase(5)]
    public void Decode_RandomBytesInsideAValidSequenceHeader_IsMalformed(int seed)
    {
        var random = new Random(seed);
        var content = new byte[200];
        random.NextBytes(content);

        DecodeFails(AsnNode.Primitive(System.Formats.Asn1.Asn1Tag.Sequence, content).Encode()).Reason.Should().Be(ScepError.Malformed);
    }

    [TestCase("3080")]
    [TestCase("30800000")]
    [TestCase("308002010000")]
    [TestCase("3084FFFFFFFF")]
    [TestCase("3089010000000000000000")]
    [TestCase("30FF")]
    public void Decode_ImpossibleLengthOctets_IsMalformed(string hex)
    {
        DecodeFails(Convert.FromHexString(hex)).Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_ACertificate_IsMalformed()
    {
        DecodeFails(TestPki.Ca.Certificate.RawData).Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_ACsr_IsMalformed()
    {
        DecodeFails(Scenario.Csr("CN=x", _client.Key).RawData).Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_DegenerateCertificatesOnlySignedData_IsNotPkiMessage()
    {
        var certsOnly = DegenerateCertificateSet.Create([TestPki.Ca.Certificate]);

        DecodeFails(certsOnly.RawData).Reason.Should().Be(ScepError.NotPkiMessage);
    }

    [Test]
    public void Decode_TwoSigners_IsNotPkiMessage()
    {
        var twoSigners = MessageSurgery.Edit(_request, m => m.SignerInfos.Children.Add(m.Signer.Clone()));

        var error = DecodeFails(twoSigners);

        error.Reason.Should().Be(ScepError.NotPkiMessage);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_EncapsulatedContentTypeNotData_IsNotPkiMessage()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.EncapsulatedContentInfo.Children[0] = AsnNode.ObjectIdentifier(ScepOids.EnvelopedData));

        DecodeFails(tampered).Reason.Should().Be(ScepError.NotPkiMessage);
    }

    [Test]
    public void Decode_TrailingBytes_ThrowsButTryDecodeReportsTheLengthConsumed()
    {
        var encoded = _request.Encode();
        var withTrailer = encoded.Concat(new byte[] { 0x30, 0x00, 0xFF }).ToArray();

        FluentActions.Invoking(() => PkiMessage.Decode(withTrailer))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.Malformed);
        PkiMessage.TryDecode(withTrailer, out var message, out var consumed).Should().BeTrue();
        consumed.Should().Be(encoded.Length);
        message!.Encode().Should().Equal(encoded);
        message.TransactionId.Should().Be(_request.TransactionId);
    }

    [Test]
    public void Decode_StreamedBerAsBouncyCastleWritesIt_DecodesVerifiesAndDecrypts()
    {
        // CMSSignedDataStreamGenerator (jscep): indefinite lengths for the ContentInfo, SignedData, encapContentInfo
        // and certificates wrappers, eContent as a constructed OCTET STRING in chunks; certificates and signerInfos DER.
        var tree = new SignedMessage(AsnNode.Parse(_request.RawData.Span));
        var chunks = tree.EContent!.Chunk(512).Select(chunk => AsnNode.OctetString(chunk)).ToArray();
        tree.EncapsulatedContentInfo[1].Children[0] = AsnNode.Constructed(System.Formats.Asn1.Asn1Tag.PrimitiveOctetString, chunks);
        var keepDefinite = new HashSet<AsnNode>(tree.Certificates!.Children) { tree.DigestAlgorithms, tree.SignerInfos };
        var ber = tree.Root.EncodeIndefinite(keepDefinite.Contains);

        var message = PkiMessage.Decode(ber);

        chunks.Should().HaveCountGreaterThan(1);
        message.RawData.Length.Should().Be(ber.Length);
        message.TransactionId.Should().Be(_request.TransactionId);
        message.Content.ToArray().Should().Equal(_request.Content.ToArray());
        message.VerifySignature().RawData.Should().Equal(_client.Certificate.RawData);
        message.Decrypt(TestPki.Ca.Certificate, TestPki.Ca.Rsa).CertificationRequest!.CommonName.Should().Be("device-1");
    }

    [Test]
    public void Decode_SignedAttributesWithIndefiniteLength_VerifiesOverTheirDerForm()
    {
        // RFC 5652 §5.4: the signature covers the DER SET, whatever encoding the attributes arrived in.
        var tree = new SignedMessage(AsnNode.Parse(_request.RawData.Span));
        var signedAttributes = tree.SignedAttributes;
        var ber = tree.Root.Encode(indefinite: node => node == signedAttributes);

        var message = PkiMessage.Decode(ber);

        ber.Should().NotEqual(_request.Encode());
        message.TransactionId.Should().Be(_request.TransactionId);
        message.VerifySignature().RawData.Should().Equal(_client.Certificate.RawData);
    }

    [Test]
    public void Decode_CertificateThatCannotBeParsed_StillDecodesSoAFailureCanBeAddressed()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.Certificates!.Children[0] = AsnNode.Sequence(AsnNode.Integer(1)));

        var message = PkiMessage.Decode(tampered);

        message.TransactionId.Should().Be(_request.TransactionId);
        message.Certificates.Should().BeEmpty();
        message.SignerCertificate.Should().BeNull();
        var error = FluentActions.Invoking(() => message.VerifySignature()).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.SignerCertificateNotFound);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decode_SubjectKeyIdentifierSidAndACertificateWithABrokenSki_DecodesWithoutThatSigner()
    {
        // sid [0] subjectKeyIdentifier, and the only certificate's SKI extension is not an OCTET STRING.
        var brokenSki = MessageSurgery.EditSigned(TestPki.Ca.Certificate.RawData, tbs =>
        {
            var extension = MessageSurgery.CertificateExtension(tbs, ScepOids.SubjectKeyIdentifier)
                ?? throw new InvalidOperationException("no SKI");
            extension.Children[^1].Content = AsnNode.Integer(7).Encode();
        }, TestPki.Ca.Key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var tampered = MessageSurgery.Edit(_request, m =>
        {
            m.Certificates!.Children[0] = AsnNode.Parse(brokenSki);
            m.Signer.Children[1] = AsnNode.Primitive(MessageSurgery.Context0Primitive, new byte[20]);
            m.Signer.Children[0] = AsnNode.Integer(3);
        });

        var message = PkiMessage.Decode(tampered);

        message.SignerCertificate.Should().BeNull();
        FluentActions.Invoking(() => message.VerifySignature()).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
    }

    [Test]
    public void EnsureSigningTimeWithin_InsideTolerance_Passes()
    {
        var message = PkiMessage.Decode(_request.Encode());

        message.SigningTime.Should().Be(Scenario.Now);
        message.EnsureSigningTimeWithin(Scenario.Now.AddMinutes(9), TimeSpan.FromMinutes(10));
        message.EnsureSigningTimeWithin(Scenario.Now.AddMinutes(-10), TimeSpan.FromMinutes(10));
    }

    [TestCase(11)]
    [TestCase(-11)]
    [TestCase(60 * 24)]
    public void EnsureSigningTimeWithin_OutsideTolerance_IsSigningTimeOutOfRange(int minutesAway)
    {
        var message = PkiMessage.Decode(_request.Encode());

        var error = FluentActions.Invoking(() => message.EnsureSigningTimeWithin(Scenario.Now.AddMinutes(minutesAway), TimeSpan.FromMinutes(10)))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.SigningTimeOutOfRange);
        error.FailInfo.Should().Be(FailInfo.BadTime);
    }

    [Test]
    public void EnsureSigningTimeWithin_SigningTimeAbsent_Passes()
    {
        var withoutTime = PkiMessage.CreatePkcsReq(
            Scenario.Csr("CN=no-clock", _client.Key),
            new PkiRequestParameters
            {
                TransactionId = "NO-CLOCK",
                SignerCertificate = _client.Certificate,
                SignerKey = _client.Key,
                RecipientCertificate = TestPki.Ca.Certificate,
            });

        var message = PkiMessage.Decode(withoutTime.Encode());

        message.SigningTime.Should().BeNull();
        message.EnsureSigningTimeWithin(new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero);
    }

    [Test]
    public void EnsureSigningTimeWithin_GeneralizedTimeFarAway_IsSigningTimeOutOfRange()
    {
        var farFuture = new DateTimeOffset(2077, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var request = PkiMessage.CreatePkcsReq(
            Scenario.Csr("CN=time-traveller", _client.Key),
            new PkiRequestParameters
            {
                TransactionId = "TIME-TRAVELLER",
                SignerCertificate = _client.Certificate,
                SignerKey = _client.Key,
                RecipientCertificate = TestPki.Ca.Certificate,
                SigningTime = farFuture,
            });

        request.SigningTime.Should().Be(farFuture, "2077 is written as GeneralizedTime and read back");
        FluentActions.Invoking(() => request.EnsureSigningTimeWithin(Scenario.Now, TimeSpan.FromDays(1)))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SigningTimeOutOfRange);
    }
}
