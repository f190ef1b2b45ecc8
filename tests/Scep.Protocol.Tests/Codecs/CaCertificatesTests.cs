using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// GetCACert replies (RFC 8894 §4.2; reference §3.2): the two shapes, and which certificate encrypts requests,
/// verifies replies and issues, chosen by basicConstraints and keyUsage, never by position.
/// </summary>
public class CaCertificatesTests
{
    private const X509KeyUsageFlags Both = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;

    private TestCredential _ca = null!;
    private TestCredential _raBoth = null!;
    private TestCredential _raSign = null!;
    private TestCredential _raEncrypt = null!;
    private TestCredential _raNoUsage = null!;
    private TestCredential _raDataEncipherment = null!;
    private TestCredential _root = null!;
    private TestCredential _intermediate = null!;
    private TestCredential _issuing = null!;

    [OneTimeSetUp]
    public void CreatePki()
    {
        _ca = TestPki.CreateCa("CN=GetCACert CA,O=Scep.Protocol Tests", TestPki.CachedRsa(60, 1024));
        _raBoth = TestPki.CreateRa(_ca, "CN=RA both", Both, TestPki.CachedRsa(61, 1024));
        _raSign = TestPki.CreateRa(_ca, "CN=RA signing", X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(62, 1024));
        _raEncrypt = TestPki.CreateRa(_ca, "CN=RA encryption", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(63, 1024));
        _raNoUsage = TestPki.CreateRa(_ca, "CN=RA without keyUsage", null, TestPki.CachedRsa(64, 1024));
        _raDataEncipherment = TestPki.CreateRa(_ca, "CN=RA dataEncipherment", X509KeyUsageFlags.DataEncipherment, TestPki.CachedRsa(65, 1024));
        _root = TestPki.CreateCa("CN=Chain Root,O=Scep.Protocol Tests", TestPki.CachedRsa(66, 1024));
        _intermediate = TestPki.CreateCa("CN=Chain Intermediate,O=Scep.Protocol Tests", TestPki.CachedRsa(67, 1024), issuer: _root);
        _issuing = TestPki.CreateCa("CN=Chain Issuing,O=Scep.Protocol Tests", TestPki.CachedRsa(68, 1024), issuer: _intermediate);
    }

    private static CaCertificates RoundTrip(params TestCredential[] credentials)
    {
        var created = CaCertificates.Create(credentials.Select(c => c.Certificate));
        return CaCertificates.Decode(created.Encode());
    }

    [Test]
    public void Create_SingleCertificate_IsTheDerCertificateAndDoesEverything()
    {
        var single = CaCertificates.Create([_ca.Certificate]);

        single.ContentType.Should().Be("application/x-x509-ca-cert").And.Be(ScepContentTypes.CaCertificate);
        single.Encode().Should().Equal(_ca.Certificate.RawData);
        single.IssuerCertificate.Should().BeSameAs(_ca.Certificate);
        single.EncryptionCertificate.Should().BeSameAs(_ca.Certificate);
        single.SigningCertificate.Should().BeSameAs(_ca.Certificate);
        single.HasRegistrationAuthority.Should().BeFalse();
    }

    [Test]
    public void Decode_SingleDerCertificate_IsTheSameAsCreated()
    {
        var decoded = CaCertificates.Decode(_ca.Certificate.RawData);

        decoded.ContentType.Should().Be(ScepContentTypes.CaCertificate);
        decoded.Certificates.Should().ContainSingle().Which.RawData.Should().Equal(_ca.Certificate.RawData);
        decoded.EncryptionCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
        decoded.SigningCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
        decoded.IssuerCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
    }

    [Test]
    public void Create_CaAndOneRaWithBothUsages_UsesTheRaForEncryptionAndSigning()
    {
        var set = RoundTrip(_raBoth, _ca);

        set.ContentType.Should().Be("application/x-x509-ca-ra-cert").And.Be(ScepContentTypes.CaRaCertificates);
        set.HasRegistrationAuthority.Should().BeTrue();
        set.IssuerCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
        set.EncryptionCertificate.RawData.Should().Equal(_raBoth.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_raBoth.Certificate.RawData);
    }

    [Test]
    public void Create_CaAndTwoRasSplitByUsage_PicksEachForItsJob([Values] bool signingRaFirst)
    {
        // NDES: one RA certificate signs CertReps, the other decrypts requests.
        var set = signingRaFirst ? RoundTrip(_raSign, _raEncrypt, _ca) : RoundTrip(_ca, _raEncrypt, _raSign);

        set.IssuerCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
        set.EncryptionCertificate.RawData.Should().Equal(_raEncrypt.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_raSign.Certificate.RawData);
    }

    [Test]
    public void Create_RaWithoutKeyUsage_DoesEverythingAnRaDoes()
    {
        var set = RoundTrip(_ca, _raNoUsage);

        set.EncryptionCertificate.RawData.Should().Equal(_raNoUsage.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_raNoUsage.Certificate.RawData);
        set.IssuerCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
    }

    [Test]
    public void Create_RaWithExplicitUsageAndRaWithout_PrefersTheExplicitUsage()
    {
        var set = RoundTrip(_raNoUsage, _raEncrypt, _ca);

        set.EncryptionCertificate.RawData.Should().Equal(_raEncrypt.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_raNoUsage.Certificate.RawData, "only the RA without keyUsage may sign");
    }

    [Test]
    public void Create_RaWithOnlyDataEncipherment_EncryptsWhenNoRaHasKeyEncipherment()
    {
        var set = RoundTrip(_ca, _raDataEncipherment);

        set.EncryptionCertificate.RawData.Should().Equal(_raDataEncipherment.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_ca.Certificate.RawData, "the RA cannot sign, so the CA does");
    }

    [Test]
    public void Create_KeyEnciphermentRaAndDataEnciphermentRa_PrefersKeyEncipherment()
    {
        var set = RoundTrip(_raDataEncipherment, _raEncrypt, _ca);

        set.EncryptionCertificate.RawData.Should().Equal(_raEncrypt.Certificate.RawData);
    }

    [Test]
    public void Create_OnlyASigningRa_EncryptsToTheCa()
    {
        var set = RoundTrip(_raSign, _ca);

        set.EncryptionCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_raSign.Certificate.RawData);
    }

    [Test]
    public void Decode_RaListedAfterTheCa_PicksTheSameAsRaFirst()
    {
        // Windows CAs do not put the RA first (CertNanny #82).
        var raFirst = RoundTrip(_raBoth, _ca);
        var caFirst = RoundTrip(_ca, _raBoth);

        caFirst.Certificates[0].RawData.Should().Equal(_ca.Certificate.RawData);
        caFirst.EncryptionCertificate.RawData.Should().Equal(raFirst.EncryptionCertificate.RawData);
        caFirst.SigningCertificate.RawData.Should().Equal(raFirst.SigningCertificate.RawData);
        caFirst.IssuerCertificate.RawData.Should().Equal(raFirst.IssuerCertificate.RawData);
    }

    [TestCase(0, 1, 2)]
    [TestCase(2, 1, 0)]
    [TestCase(1, 2, 0)]
    [TestCase(2, 0, 1)]
    public void Create_ChainWithoutRa_IssuerIsTheBottomOfTheChain(int first, int second, int third)
    {
        var chain = new[] { _root, _intermediate, _issuing };

        var set = RoundTrip(chain[first], chain[second], chain[third]);

        set.HasRegistrationAuthority.Should().BeFalse();
        set.IssuerCertificate.RawData.Should().Equal(_issuing.Certificate.RawData);
        set.EncryptionCertificate.RawData.Should().Equal(_issuing.Certificate.RawData);
        set.SigningCertificate.RawData.Should().Equal(_issuing.Certificate.RawData);
    }

    [Test]
    public void Create_ChainAndAnRaIssuedByTheIntermediate_IssuerIsTheRasIssuer()
    {
        var ra = TestPki.CreateRa(_intermediate, "CN=Intermediate RA", Both, TestPki.CachedRsa(69, 1024));

        var set = RoundTrip(ra, _root, _intermediate);

        set.IssuerCertificate.RawData.Should().Equal(_intermediate.Certificate.RawData);
        set.EncryptionCertificate.RawData.Should().Equal(ra.Certificate.RawData);
    }

    [Test]
    public void CreateAndDecode_MultipleCertificates_KeepTheirOrder()
    {
        var order = new[] { _raEncrypt, _ca, _raSign, _raBoth };

        var decoded = RoundTrip(order);

        decoded.Certificates.Select(c => c.RawData).Should().BeEquivalentTo(order.Select(c => c.Certificate.RawData), o => o.WithStrictOrdering());
        DegenerateCertificateSet.Decode(decoded.RawData).Certificates.Select(c => c.Thumbprint)
            .Should().Equal(order.Select(c => c.Certificate.Thumbprint));
    }

    [Test]
    public void Decode_DegenerateSetWithOneCertificate_IsReadAsTheSignedDataShape()
    {
        var body = DegenerateCertificateSet.Create([_ca.Certificate]).Encode();

        var decoded = CaCertificates.Decode(body);

        decoded.ContentType.Should().Be(ScepContentTypes.CaRaCertificates);
        decoded.Certificates.Should().ContainSingle().Which.RawData.Should().Equal(_ca.Certificate.RawData);
        decoded.EncryptionCertificate.RawData.Should().Equal(_ca.Certificate.RawData);
    }

    [Test]
    public void Decode_DegenerateSetWithNoCertificates_IsMalformed()
    {
        var empty = DegenerateCertificateSet.Create([]).Encode();

        FluentActions.Invoking(() => CaCertificates.Decode(empty)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Create_NoCertificates_IsAnArgumentError()
    {
        FluentActions.Invoking(() => CaCertificates.Create([])).Should().Throw<ArgumentException>();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Decode_TrailingBytes_IsMalformed(bool single)
    {
        var body = single ? _ca.Certificate.RawData : CaCertificates.Create([_ca.Certificate, _raBoth.Certificate]).Encode();

        FluentActions.Invoking(() => CaCertificates.Decode(body.Concat(new byte[] { 0x00 }).ToArray()))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.Malformed);
    }

    [TestCase("")]
    [TestCase("3000")]
    [TestCase("0500")]
    [TestCase("300306012A")]
    public void Decode_NotACertificateNorAPkcs7_IsMalformed(string hex)
    {
        FluentActions.Invoking(() => CaCertificates.Decode(Convert.FromHexString(hex)))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.Malformed);
    }

    [TestCase(ScepOids.KeyUsage)]
    [TestCase(ScepOids.BasicConstraints)]
    public void Decode_RaWhoseExtensionCannotBeRead_IsMalformed(string oid)
    {
        var broken = MessageSurgery.EditSigned(_raBoth.Certificate.RawData, tbs =>
            MessageSurgery.CertificateExtension(tbs, oid)!.Children[^1].Content = AsnNode.Integer(7).Encode(), _ca.Key, HashAlgorithmName.SHA256);
        var body = MessageSurgery.Edit(DegenerateCertificateSet.Create([_ca.Certificate]).RawData, m => m.Certificates!.Children.Insert(0, AsnNode.Parse(broken)));

        var error = FluentActions.Invoking(() => CaCertificates.Decode(body)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.Malformed);
        error.Message.Should().Contain("RA both");
    }

    [Test]
    public void HaveIssued_ACertificateTheCaSigned_IsTrue()
    {
        var issued = TestPki.Issue(_ca, "CN=device", TestPki.CachedRsa(69, 1024));

        CaCertificates.Create([_ca.Certificate]).HaveIssued(issued.Certificate).Should().BeTrue();
    }

    [Test]
    public void HaveIssued_ThroughACarriedIntermediateTheCaSigned_IsTrueOnlyWithTheIntermediate()
    {
        var issued = TestPki.Issue(_intermediate, "CN=device", TestPki.CachedRsa(69, 1024));
        var cas = CaCertificates.Create([_root.Certificate]);

        cas.HaveIssued(issued.Certificate, [issued.Certificate, _intermediate.Certificate]).Should().BeTrue();
        cas.HaveIssued(issued.Certificate, [issued.Certificate]).Should().BeFalse("without the intermediate no signature leads to the root");
    }

    [Test]
    public void HaveIssued_ByAStrangerCarriedWithIt_IsFalse()
    {
        var stranger = TestPki.CreateCa("CN=Stranger", TestPki.CachedRsa(70, 1024));
        var issued = TestPki.Issue(stranger, "CN=device", TestPki.CachedRsa(69, 1024));

        CaCertificates.Create([_ca.Certificate]).HaveIssued(issued.Certificate, [stranger.Certificate]).Should().BeFalse();
    }
}
