using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>IssuerAndSerialNumber (GetCert, GetCRL, sid and rid) and IssuerAndSubject (CertPoll).</summary>
public class IssuerAndSerialNumberTests
{
    private TestCredential _issued = null!;
    private TestCredential _other = null!;

    [OneTimeSetUp]
    public void CreateCertificates()
    {
        _issued = TestPki.Issue(TestPki.Ca, "CN=serial-device", TestPki.CachedRsa(90, 1024));
        _other = TestPki.Issue(TestPki.Ca, "CN=other-device", TestPki.CachedRsa(90, 1024));
    }

    /// <summary>A copy of <paramref name="certificate"/> with another serial INTEGER (contents octets as given), signed again by the test CA.</summary>
    private static X509Certificate2 WithSerial(X509Certificate2 certificate, byte[] serialContents)
    {
        var encoded = MessageSurgery.EditSigned(certificate.RawData, tbs => tbs.Children[1] = AsnNode.Primitive(Asn1Tag.Integer, serialContents),
            TestPki.Ca.Key, HashAlgorithmName.SHA256);
        return X509CertificateLoader.LoadCertificate(encoded);
    }

    /// <summary>The certificate's serialNumber exactly as encoded in it.</summary>
    private static byte[] SerialEncoding(X509Certificate2 certificate) => AsnNode.Parse(certificate.RawData)[0][1].Encode();

    [Test]
    public void FromCertificate_EncodeDecode_RoundTrips()
    {
        var identifier = IssuerAndSerialNumber.FromCertificate(_issued.Certificate);

        var decoded = IssuerAndSerialNumber.Decode(identifier.Encode());

        decoded.SerialNumber.ToArray().Should().Equal(_issued.Certificate.SerialNumberBytes.ToArray());
        decoded.SerialNumberHex.Should().Be(_issued.Certificate.SerialNumber);
        decoded.IssuerRawData.ToArray().Should().Equal(TestPki.Ca.Certificate.SubjectName.RawData);
        decoded.Issuer.Name.Should().Be(TestPki.Ca.Certificate.Subject);
        decoded.Encode().Should().Equal(identifier.Encode());
        decoded.Matches(_issued.Certificate).Should().BeTrue();
        decoded.Matches(_other.Certificate).Should().BeFalse();
        decoded.Matches(TestPki.Ca.Certificate).Should().BeFalse();
    }

    [Test]
    public void Encode_IsTheDerSequenceOfIssuerAndTheCertificatesSerial()
    {
        var encoded = IssuerAndSerialNumber.FromCertificate(_issued.Certificate).Encode();

        var tree = AsnNode.Parse(encoded);
        tree.Tag.Should().Be(Asn1Tag.Sequence.AsConstructed());
        tree.Children.Should().HaveCount(2);
        tree[0].Encode().Should().Equal(_issued.Certificate.IssuerName.RawData);
        tree[1].Encode().Should().Equal(SerialEncoding(_issued.Certificate));
    }

    [Test]
    public void Create_FromNameAndSerial_MatchesTheCertificate()
    {
        var identifier = IssuerAndSerialNumber.Create(TestPki.Ca.Certificate.SubjectName, _issued.Certificate.SerialNumberBytes.Span);

        identifier.Matches(_issued.Certificate).Should().BeTrue();
        identifier.ToString().Should().Contain(_issued.Certificate.SerialNumber).And.Contain("Scep Test CA");
    }

    [Test]
    public void Create_EmptySerial_IsAnArgumentError()
    {
        FluentActions.Invoking(() => IssuerAndSerialNumber.Create(TestPki.Ca.Certificate.SubjectName, []))
            .Should().Throw<ArgumentException>();
    }

    [Test]
    public void Create_SerialWithRedundantLeadingZeros_MatchesAndEncodesMinimally()
    {
        var identifier = IssuerAndSerialNumber.Create(TestPki.Ca.Certificate.SubjectName, [0x00, 0x00, .. _issued.Certificate.SerialNumberBytes.Span]);

        identifier.Matches(_issued.Certificate).Should().BeTrue();
        identifier.Encode().Should().Equal(IssuerAndSerialNumber.FromCertificate(_issued.Certificate).Encode());
    }

    [Test]
    public void Decode_SerialWithRedundantLeadingZeros_IsMalformedContent()
    {
        // X.690 §8.3.2: not even BER allows a non-minimal INTEGER.
        var padded = AsnNode.Sequence(
            AsnNode.Parse(TestPki.Ca.Certificate.SubjectName.RawData),
            AsnNode.Primitive(Asn1Tag.Integer, [0x00, 0x00, .. _issued.Certificate.SerialNumberBytes.Span]));

        FluentActions.Invoking(() => IssuerAndSerialNumber.Decode(padded.Encode())).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void Matches_CertificateSerialWithSignOctet_MatchesAPeerThatDroppedIt()
    {
        // Serial 0x00 0x9A ...: some encoders write the magnitude without the sign octet.
        var highBit = WithSerial(_issued.Certificate, [0x00, 0x9A, 0x01, 0x02, 0x03]);
        highBit.SerialNumberBytes.ToArray().Should().Equal(0x00, 0x9A, 0x01, 0x02, 0x03);

        var unpadded = IssuerAndSerialNumber.Decode(AsnNode.Sequence(
            AsnNode.Parse(TestPki.Ca.Certificate.SubjectName.RawData),
            AsnNode.Primitive(Asn1Tag.Integer, [0x9A, 0x01, 0x02, 0x03])).Encode());

        unpadded.Matches(highBit).Should().BeTrue();
        IssuerAndSerialNumber.FromCertificate(highBit).Matches(highBit).Should().BeTrue();
    }

    [Test]
    public void FromCertificate_NegativeSerial_IsWrittenExactlyAsInTheCertificate()
    {
        // RFC 5280 asks for positive serials, but certificates with negative ones exist; the sid and rid of
        // messages must carry the same INTEGER or peers will not find the certificate.
        var negative = WithSerial(_issued.Certificate, [0xFF, 0x01]);

        var identifier = IssuerAndSerialNumber.FromCertificate(negative);
        var decoded = IssuerAndSerialNumber.Decode(identifier.Encode());

        AsnNode.Parse(identifier.Encode())[1].Encode().Should().Equal(SerialEncoding(negative));
        decoded.SerialNumber.ToArray().Should().Equal(negative.SerialNumberBytes.ToArray());
        decoded.Matches(negative).Should().BeTrue();
    }

    [Test]
    public void CreateRequest_SignedByANegativeSerialCertificate_NamesItInSidAndRid()
    {
        var negativeSigner = new TestCredential(WithSerial(_issued.Certificate, [0x80, 0x11, 0x22]), _issued.Key);
        var negativeRecipient = new TestCredential(WithSerial(TestPki.Issue(TestPki.Ca, "CN=negative RA", TestPki.CachedRsa(91, 1024)).Certificate, [0xC0, 0x01]), TestPki.CachedRsa(91, 1024));
        var csr = Scenario.Csr("CN=serial-device", _issued.Key);

        var request = PkiMessage.CreateRenewalReq(csr, Scenario.RequestParameters(negativeSigner, negativeRecipient.Certificate));
        var tree = new SignedMessage(AsnNode.Parse(request.RawData.Span));

        tree.Sid[1].Encode().Should().Equal(SerialEncoding(negativeSigner.Certificate));
        new EnvelopeTree(AsnNode.Parse(tree.EContent)).Recipient[1][1].Encode().Should().Equal(SerialEncoding(negativeRecipient.Certificate));
        request.VerifySignature().RawData.Should().Equal(negativeSigner.Certificate.RawData);
        request.Decrypt(negativeRecipient.Certificate, negativeRecipient.Rsa).CertificationRequest.Should().NotBeNull();
    }

    [Test]
    public void Matches_EquivalentIssuerNameInAnotherStringEncoding_Matches()
    {
        var swapped = SwapStringTypes(TestPki.Ca.Certificate.SubjectName.RawData);
        var identifier = IssuerAndSerialNumber.Create(new X500DistinguishedName(swapped), _issued.Certificate.SerialNumberBytes.Span);

        swapped.Should().NotEqual(TestPki.Ca.Certificate.SubjectName.RawData);
        identifier.Matches(_issued.Certificate).Should().BeTrue();
    }

    [Test]
    public void Matches_DifferentIssuerName_DoesNotMatch()
    {
        var identifier = IssuerAndSerialNumber.Create(new X500DistinguishedName("CN=Scep Test CA,O=Somebody Else"), _issued.Certificate.SerialNumberBytes.Span);

        identifier.Matches(_issued.Certificate).Should().BeFalse();
    }

    /// <summary>The Name with every PrintableString value re-encoded as UTF8String and the other way round.</summary>
    internal static byte[] SwapStringTypes(byte[] name)
    {
        var tree = AsnNode.Parse(name);
        foreach (var value in tree.DescendantsAndSelf().Where(n => n.Tag.TagClass == TagClass.Universal && !n.IsConstructed))
        {
            if (value.Tag.TagValue == (int)UniversalTagNumber.PrintableString)
            {
                value.Tag = new Asn1Tag(UniversalTagNumber.UTF8String);
            }
            else if (value.Tag.TagValue == (int)UniversalTagNumber.UTF8String)
            {
                value.Tag = new Asn1Tag(UniversalTagNumber.PrintableString);
            }
        }

        return tree.Encode();
    }

    [TestCase("")]
    [TestCase("3000")]
    [TestCase("30050203010001")]
    [TestCase("3005300002010100")]
    [TestCase("300531000201010")]
    public void Decode_Malformed_IsMalformedContent(string hex)
    {
        var error = FluentActions.Invoking(() => IssuerAndSerialNumber.Decode(Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0")))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.MalformedContent);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_TrailingBytes_IsMalformedContent()
    {
        var encoded = IssuerAndSerialNumber.FromCertificate(_issued.Certificate).Encode().Concat(new byte[] { 0x00 }).ToArray();

        FluentActions.Invoking(() => IssuerAndSerialNumber.Decode(encoded)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void IssuerAndSubject_CreateEncodeDecode_RoundTrips()
    {
        var subject = new X500DistinguishedName("CN=pending-device,O=Example");
        var created = IssuerAndSubject.Create(TestPki.Ca.Certificate.SubjectName, subject);

        var decoded = IssuerAndSubject.Decode(created.Encode());

        decoded.Issuer.RawData.Should().Equal(TestPki.Ca.Certificate.SubjectName.RawData);
        decoded.Subject.RawData.Should().Equal(subject.RawData);
        decoded.Encode().Should().Equal(created.Encode());
        decoded.ToString().Should().Contain("pending-device").And.Contain("Scep Test CA");
    }

    [Test]
    public void IssuerAndSubject_Encode_IsTheDerSequenceOfBothNames()
    {
        var subject = new X500DistinguishedName("CN=pending-device");

        var encoded = IssuerAndSubject.Create(TestPki.Ca.Certificate.SubjectName, subject).Encode();

        encoded.Should().Equal(AsnNode.Sequence(AsnNode.Parse(TestPki.Ca.Certificate.SubjectName.RawData), AsnNode.Parse(subject.RawData)).Encode());
    }

    [Test]
    public void IssuerAndSubject_EmptySubjectName_RoundTrips()
    {
        var empty = new X500DistinguishedName([0x30, 0x00]);

        var decoded = IssuerAndSubject.Decode(IssuerAndSubject.Create(TestPki.Ca.Certificate.SubjectName, empty).Encode());

        decoded.Subject.RawData.Should().Equal(0x30, 0x00);
    }

    [TestCase("")]
    [TestCase("3000")]
    [TestCase("30023000")]
    [TestCase("3004300002010")]
    [TestCase("30043000300000")]
    public void IssuerAndSubject_DecodeMalformed_IsMalformedContent(string hex)
    {
        FluentActions.Invoking(() => IssuerAndSubject.Decode(Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0")))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.MalformedContent);
    }
}
