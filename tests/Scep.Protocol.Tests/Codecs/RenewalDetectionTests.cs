using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>Renewal detection by the request's signer (RFC 8894 §2.5; reference §7.1; micromdm #117, dogtag #3413).</summary>
public class RenewalDetectionTests
{
    private TestCredential _ca = null!;
    private TestCredential _previousCa = null!;
    private TestCredential _foreignCa = null!;

    // Shared cached keys: not disposed here.
    private static RSA DeviceKey => TestPki.CachedRsa(103, 1024);

    private static RSA NewKey => TestPki.CachedRsa(104, 1024);

    [OneTimeSetUp]
    public void CreatePki()
    {
        // The previous CA has the same name as the current one: a rollover changes the key, not the name.
        _ca = TestPki.CreateCa("CN=Renewal CA,O=Scep.Protocol Tests", TestPki.CachedRsa(100, 1024));
        _previousCa = TestPki.CreateCa("CN=Renewal CA,O=Scep.Protocol Tests", TestPki.CachedRsa(101, 1024));
        _foreignCa = TestPki.CreateCa("CN=Foreign CA,O=Elsewhere", TestPki.CachedRsa(102, 1024));
    }

    private static byte[] Key(RSA key) => key.ExportSubjectPublicKeyInfo();

    [Test]
    public void Classify_SelfSignedSigner_IsInitialEnrollment()
    {
        var selfSigned = TestPki.CreateSelfSigned("CN=device", DeviceKey);

        var result = RenewalDetection.Classify(selfSigned.Certificate, Key(DeviceKey), [_ca.Certificate]);

        result.Kind.Should().Be(EnrollmentKind.InitialEnrollment);
        result.IssuingCertificate.Should().BeNull();
        result.ReusesKey.Should().BeTrue("a PKCSReq's self-signed certificate is over the requested key");
    }

    [Test]
    public void Classify_SelfSignedSignerForAnotherKey_IsInitialEnrollmentThatDoesNotReuseTheKey()
    {
        var selfSigned = TestPki.CreateSelfSigned("CN=device", DeviceKey);

        RenewalDetection.Classify(selfSigned.Certificate, Key(NewKey), [_ca.Certificate]).ReusesKey.Should().BeFalse();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Classify_SignerIssuedByTheCa_IsRenewal(bool sameKey)
    {
        var issued = TestPki.Issue(_ca, "CN=device", DeviceKey);

        var result = RenewalDetection.Classify(issued.Certificate, Key(sameKey ? DeviceKey : NewKey), [_ca.Certificate]);

        result.Kind.Should().Be(EnrollmentKind.Renewal);
        result.IssuingCertificate!.RawData.Should().Equal(_ca.Certificate.RawData);
        result.ReusesKey.Should().Be(sameKey);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Classify_SignerIssuedByThePreviousCaKey_IsRenewalWithThatCertificate(bool currentFirst)
    {
        var issuedByPrevious = TestPki.Issue(_previousCa, "CN=device", DeviceKey);
        X509Certificate2[] authorities = currentFirst ? [_ca.Certificate, _previousCa.Certificate] : [_previousCa.Certificate, _ca.Certificate];

        var result = RenewalDetection.Classify(issuedByPrevious.Certificate, Key(NewKey), authorities);

        result.Kind.Should().Be(EnrollmentKind.Renewal);
        result.IssuingCertificate!.RawData.Should().Equal(_previousCa.Certificate.RawData);
    }

    [Test]
    public void Classify_SignerIssuedByThePreviousKeyWhenOnlyTheCurrentIsPassed_IsUnknownSigner()
    {
        // Same issuer name, but the signature does not verify with the current key.
        var issuedByPrevious = TestPki.Issue(_previousCa, "CN=device", DeviceKey);

        RenewalDetection.Classify(issuedByPrevious.Certificate, Key(NewKey), [_ca.Certificate]).Kind.Should().Be(EnrollmentKind.UnknownSigner);
    }

    [Test]
    public void Classify_SignerFromAForeignCa_IsUnknownSigner()
    {
        var foreign = TestPki.Issue(_foreignCa, "CN=device", DeviceKey);

        var result = RenewalDetection.Classify(foreign.Certificate, Key(DeviceKey), [_ca.Certificate, _previousCa.Certificate]);

        result.Kind.Should().Be(EnrollmentKind.UnknownSigner);
        result.IssuingCertificate.Should().BeNull();
    }

    [Test]
    public void Classify_SelfIssuedButSignedByAnotherKey_IsUnknownSigner()
    {
        // issuer == subject, so it looks self-signed by name, but another key signed it.
        var request = new CertificateRequest("CN=impostor", DeviceKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var selfIssued = request.Create(new X500DistinguishedName("CN=impostor"),
            X509SignatureGenerator.CreateForRSA(NewKey, RSASignaturePadding.Pkcs1), TestPki.NotBefore, TestPki.NotBefore.AddYears(1), TestPki.NextSerial());

        var result = RenewalDetection.Classify(selfIssued, Key(DeviceKey), [_ca.Certificate]);

        selfIssued.SubjectName.RawData.Should().Equal(selfIssued.IssuerName.RawData);
        result.Kind.Should().Be(EnrollmentKind.UnknownSigner);
    }

    [Test]
    public void Classify_CertificateClaimingTheCasNameButSignedByAnotherKey_IsUnknownSigner()
    {
        var forger = TestPki.CreateCa("CN=Renewal CA,O=Scep.Protocol Tests", TestPki.CachedRsa(105, 1024));
        var forged = TestPki.Issue(forger, "CN=device", DeviceKey);

        RenewalDetection.Classify(forged.Certificate, Key(DeviceKey), [_ca.Certificate]).Kind.Should().Be(EnrollmentKind.UnknownSigner);
    }

    [Test]
    public void Classify_NoCaCertificates_StillRecognisesSelfSigned()
    {
        var selfSigned = TestPki.CreateSelfSigned("CN=device", DeviceKey);
        var issued = TestPki.Issue(_ca, "CN=device", DeviceKey);

        RenewalDetection.Classify(selfSigned.Certificate, Key(DeviceKey), []).Kind.Should().Be(EnrollmentKind.InitialEnrollment);
        RenewalDetection.Classify(issued.Certificate, Key(DeviceKey), []).Kind.Should().Be(EnrollmentKind.UnknownSigner);
    }

    [Test]
    public void Classify_PkcsReqSignedWithTheIssuedCertificate_IsRenewalWhateverTheMessageType()
    {
        // macOS and Cisco renew with a PKCSReq signed by the certificate being renewed.
        var issued = TestPki.Issue(_ca, "CN=device", DeviceKey);
        var csr = Scenario.Csr("CN=device", NewKey);
        var request = PkiMessage.Decode(PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(issued, _ca.Certificate)).Encode());
        var content = request.Decrypt(_ca.Certificate, (RSA)_ca.Key).CertificationRequest!;

        var result = RenewalDetection.Classify(request, content, [_ca.Certificate]);

        request.MessageType.Should().Be(MessageType.PKCSReq);
        result.Kind.Should().Be(EnrollmentKind.Renewal);
        result.ReusesKey.Should().BeFalse();
    }

    [Test]
    public void Classify_RequestWithoutSignerCertificate_IsAnArgumentError()
    {
        var issued = TestPki.Issue(_ca, "CN=device", DeviceKey);
        var csr = Scenario.Csr("CN=device", DeviceKey);
        var stripped = PkiMessage.Decode(MessageSurgery.Edit(
            PkiMessage.CreateRenewalReq(csr, Scenario.RequestParameters(issued, _ca.Certificate)),
            m => m.SignedData.Children.Remove(m.Certificates!)));

        FluentActions.Invoking(() => RenewalDetection.Classify(stripped, csr, [_ca.Certificate])).Should().Throw<ArgumentException>();
    }
}
