using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>PKCS#10 requests as SCEP clients send them (RFC 8894 §3.3.1; reference §6 and §13 #16 to #18).</summary>
public class Pkcs10RequestTests
{
    private static readonly Asn1Tag AttributesTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    private static RSA RsaKey => TestPki.CachedRsa(80, 1024);

    /// <summary>A request without attributes, then the given attributes added by hand and the request signed again.</summary>
    private static Pkcs10Request WithAttributes(params (string Oid, AsnNode Value)[] attributes)
    {
        var plain = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")).Build(RsaKey, HashAlgorithmName.SHA256);
        var edited = MessageSurgery.EditSigned(plain.RawData, info =>
        {
            var set = info.Children[^1];
            set.Tag.Should().Be(AttributesTag);
            foreach (var (oid, value) in attributes)
            {
                set.Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(oid), AsnNode.Set(value)));
            }
        }, RsaKey, HashAlgorithmName.SHA256);
        var request = Pkcs10Request.Decode(edited);
        request.VerifyProofOfPossession();
        return request;
    }

    private static AsnNode Extensions(params X509Extension[] extensions) => AsnNode.Sequence(extensions
        .Select(e => AsnNode.Sequence(AsnNode.ObjectIdentifier(e.Oid!.Value!), AsnNode.OctetString(e.RawData)))
        .ToArray());

    private static X509Extension San(string dnsName)
    {
        var builder = new SubjectAlternativeNameBuilder();
        builder.AddDnsName(dnsName);
        return builder.Build();
    }

    [TestCase(UniversalTagNumber.PrintableString, "secret-123")]
    [TestCase(UniversalTagNumber.UTF8String, "pässwörd-ü-€-日本")]
    [TestCase(UniversalTagNumber.IA5String, "secret_with@signs*")]
    [TestCase(UniversalTagNumber.BMPString, "pässwörd")]
    [TestCase(UniversalTagNumber.T61String, "teletex-secret")]
    public void Decode_ChallengePasswordBuiltByHand_IsReadWithItsEncoding(UniversalTagNumber type, string password)
    {
        var request = WithAttributes((ScepOids.ChallengePassword, AsnNode.String(type, password)));

        request.ChallengePassword.Should().Be(password);
        request.ChallengePasswordEncoding.Should().Be(type);
    }

    [TestCase(UniversalTagNumber.PrintableString, "secret-123")]
    [TestCase(UniversalTagNumber.UTF8String, "pässwörd")]
    [TestCase(UniversalTagNumber.IA5String, "a@b")]
    [TestCase(UniversalTagNumber.BMPString, "pässwörd")]
    [TestCase(UniversalTagNumber.T61String, "teletex")]
    public void Build_ChallengePasswordInChosenEncoding_RoundTrips(UniversalTagNumber type, string password)
    {
        var request = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")) { ChallengePassword = password, ChallengePasswordEncoding = type }
            .Build(RsaKey, HashAlgorithmName.SHA256);

        var decoded = Pkcs10Request.Decode(request.Encode());

        decoded.ChallengePassword.Should().Be(password);
        decoded.ChallengePasswordEncoding.Should().Be(type);
    }

    [TestCase("plain-Secret 123", UniversalTagNumber.PrintableString)]
    [TestCase("under_score", UniversalTagNumber.UTF8String)]
    [TestCase("ünïcode", UniversalTagNumber.UTF8String)]
    public void Build_ChallengePasswordWithoutChosenEncoding_PicksPrintableStringWhenItCan(string password, UniversalTagNumber expected)
    {
        var request = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")) { ChallengePassword = password }.Build(RsaKey, HashAlgorithmName.SHA256);

        request.ChallengePassword.Should().Be(password);
        request.ChallengePasswordEncoding.Should().Be(expected);
    }

    [Test]
    public void Decode_ChallengePasswordAbsent_IsNull()
    {
        var request = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")).Build(RsaKey, HashAlgorithmName.SHA256);

        request.ChallengePassword.Should().BeNull();
        request.ChallengePasswordEncoding.Should().BeNull();
        request.RequestedExtensions.Should().BeEmpty();
    }

    [Test]
    public void Decode_TwoChallengePasswords_IsMalformedContent()
    {
        var printable = AsnNode.String(UniversalTagNumber.PrintableString, "one");
        var plain = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")).Build(RsaKey, HashAlgorithmName.SHA256);
        var twice = MessageSurgery.EditSigned(plain.RawData, info =>
        {
            info.Children[^1].Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.ChallengePassword), AsnNode.Set(printable)));
            info.Children[^1].Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.ChallengePassword), AsnNode.Set(printable)));
        }, RsaKey, HashAlgorithmName.SHA256);

        var error = FluentActions.Invoking(() => Pkcs10Request.Decode(twice)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.MalformedContent);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_ChallengePasswordNotAString_IsMalformedContent()
    {
        var plain = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")).Build(RsaKey, HashAlgorithmName.SHA256);
        var edited = MessageSurgery.EditSigned(plain.RawData, info => info.Children[^1].Children.Add(
            AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.ChallengePassword), AsnNode.Set(AsnNode.Integer(1234)))), RsaKey, HashAlgorithmName.SHA256);

        FluentActions.Invoking(() => Pkcs10Request.Decode(edited)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.MalformedContent);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Build_ExtensionsInEitherAttribute_AreRequested(bool microsoft)
    {
        var builder = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device")) { UseMicrosoftExtensionAttribute = microsoft };
        builder.Extensions.Add(San("device.example.com"));
        builder.Extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));

        var request = Pkcs10Request.Decode(builder.Build(RsaKey, HashAlgorithmName.SHA256).Encode());

        request.RequestedExtensions.Select(e => e.Oid!.Value).Should().Equal("2.5.29.17", "2.5.29.15");
        request.RequestedExtensions[1].Critical.Should().BeTrue();
        request.RequestedExtensions[0].Critical.Should().BeFalse();
        request.RequestedExtensions[0].RawData.Should().Equal(San("device.example.com").RawData);
    }

    [Test]
    public void Decode_BothExtensionAttributes_MergesWithExtensionRequestFirst()
    {
        var keyUsage = new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: false);
        var eku = new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false);

        // The Microsoft attribute comes first in the encoding; extensionRequest still comes first in the result.
        var request = WithAttributes(
            (ScepOids.MicrosoftExtensionRequest, Extensions(eku)),
            (ScepOids.ExtensionRequest, Extensions(San("standard.example.com"), keyUsage)));

        request.RequestedExtensions.Select(e => e.Oid!.Value).Should().Equal("2.5.29.17", "2.5.29.15", "2.5.29.37");
    }

    [Test]
    public void Decode_SameExtensionInBothAttributes_IsRequestedOnceFromExtensionRequest()
    {
        var request = WithAttributes(
            (ScepOids.ExtensionRequest, Extensions(San("standard.example.com"))),
            (ScepOids.MicrosoftExtensionRequest, Extensions(San("microsoft.example.com"), new X509BasicConstraintsExtension(false, false, 0, false))));

        request.RequestedExtensions.Select(e => e.Oid!.Value).Should().Equal("2.5.29.17", "2.5.29.19");
        request.RequestedExtensions[0].RawData.Should().Equal(San("standard.example.com").RawData);
    }

    [Test]
    public void Decode_RequestedExtensions_CanBeCopiedIntoACertificate()
    {
        var request = WithAttributes(
            (ScepOids.ExtensionRequest, Extensions(San("standard.example.com"))),
            (ScepOids.MicrosoftExtensionRequest, Extensions(San("microsoft.example.com"))));
        var issuing = new CertificateRequest(request.Subject, request.PublicKey, HashAlgorithmName.SHA256);
        foreach (var extension in request.RequestedExtensions)
        {
            issuing.CertificateExtensions.Add(extension);
        }

        using var certificate = issuing.Create(TestPki.Ca.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(TestPki.Ca.Rsa, RSASignaturePadding.Pkcs1),
            TestPki.NotBefore, TestPki.NotBefore.AddDays(1), TestPki.NextSerial());

        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Should().Equal("standard.example.com");
    }

    [Test]
    public void Decode_CiscoSubjectWithUnstructuredNameAndAddressRdns_ExposesThem()
    {
        // Cisco PIX/IOS: "CN=pix.example.com,unstructuredName=pix.example.com" (+ unstructuredAddress), IA5String values.
        var name = new X500DistinguishedNameBuilder();
        name.Add(ScepOids.UnstructuredAddress, "192.0.2.7", UniversalTagNumber.PrintableString);
        name.Add(ScepOids.UnstructuredName, "pix.example.com", UniversalTagNumber.IA5String);
        name.AddCommonName("pix.example.com");
        var subject = name.Build();

        var request = Pkcs10Request.Decode(new Pkcs10RequestBuilder(subject).Build(RsaKey, HashAlgorithmName.SHA1).Encode());

        request.CommonName.Should().Be("pix.example.com");
        request.UnstructuredName.Should().Be("pix.example.com");
        request.UnstructuredAddress.Should().Be("192.0.2.7");
        request.Subject.RawData.Should().Equal(subject.RawData, "the subject is kept verbatim");
        request.VerifyProofOfPossession();
    }

    [Test]
    public void Decode_UnstructuredNameAndAddressAsAttributes_ExposesThem()
    {
        var request = Pkcs10Request.Decode(new Pkcs10RequestBuilder(new X500DistinguishedName("CN=router"))
        {
            UnstructuredName = "router.example.com",
            UnstructuredAddress = "198.51.100.1",
        }.Build(RsaKey, HashAlgorithmName.SHA256).Encode());

        request.UnstructuredName.Should().Be("router.example.com");
        request.UnstructuredAddress.Should().Be("198.51.100.1");
        request.Subject.Name.Should().Be("CN=router");
    }

    [Test]
    public void Decode_UnstructuredNameInSubjectAndAsAttribute_PrefersTheSubject()
    {
        var name = new X500DistinguishedNameBuilder();
        name.Add(ScepOids.UnstructuredName, "from-subject.example.com", UniversalTagNumber.IA5String);

        var request = new Pkcs10RequestBuilder(name.Build()) { UnstructuredName = "from-attribute.example.com" }.Build(RsaKey, HashAlgorithmName.SHA256);

        request.UnstructuredName.Should().Be("from-subject.example.com");
        request.CommonName.Should().BeNull();
    }

    [TestCase("SHA1", "1.2.840.10045.4.1")]
    [TestCase("SHA256", "1.2.840.10045.4.3.2")]
    [TestCase("SHA384", "1.2.840.10045.4.3.3")]
    [TestCase("SHA512", "1.2.840.10045.4.3.4")]
    public void VerifyProofOfPossession_EcdsaP256WithEachHash_Verifies(string hash, string signatureOid)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var request = Pkcs10Request.Decode(Scenario.Csr("CN=ec-device", key, hash: new HashAlgorithmName(hash)).Encode());

        request.SignatureAlgorithmOid.Should().Be(signatureOid);
        request.PublicKey.Oid.Value.Should().Be("1.2.840.10045.2.1");
        request.VerifyProofOfPossession();
    }

    [TestCase("MD5", "1.2.840.113549.1.1.4")]
    [TestCase("SHA1", "1.2.840.113549.1.1.5")]
    [TestCase("SHA256", "1.2.840.113549.1.1.11")]
    [TestCase("SHA384", "1.2.840.113549.1.1.12")]
    [TestCase("SHA512", "1.2.840.113549.1.1.13")]
    public void VerifyProofOfPossession_RsaWithEachHash_Verifies(string hash, string signatureOid)
    {
        var request = Pkcs10Request.Decode(Scenario.Csr("CN=rsa-device", RsaKey, hash: new HashAlgorithmName(hash)).Encode());

        request.SignatureAlgorithmOid.Should().Be(signatureOid);
        request.VerifyProofOfPossession();
        request.HasSamePublicKeyAs(TestPki.CreateSelfSigned("CN=rsa-device", RsaKey).Certificate).Should().BeTrue();
    }

    [Test]
    public void VerifyProofOfPossession_SignedWithAnotherKey_IsInvalidProofOfPossession()
    {
        var request = Scenario.Csr("CN=device", RsaKey);
        var signedByOther = MessageSurgery.EditSigned(request.RawData, _ => { }, TestPki.CachedRsa(81, 1024), HashAlgorithmName.SHA256);

        var error = FluentActions.Invoking(Pkcs10Request.Decode(signedByOther).VerifyProofOfPossession).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.InvalidProofOfPossession);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void VerifyProofOfPossession_SubjectChangedAfterSigning_IsInvalidProofOfPossession()
    {
        var request = Scenario.Csr("CN=device", RsaKey);
        var tree = AsnNode.Parse(request.RawData.Span);
        tree[0].Children[1] = MessageSurgery.Name("CN=someone-else");

        var forged = Pkcs10Request.Decode(tree.Encode());

        forged.CommonName.Should().Be("someone-else");
        FluentActions.Invoking(forged.VerifyProofOfPossession).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.InvalidProofOfPossession);
    }

    [Test]
    public void VerifyProofOfPossession_RsaPssSignedByDotNet_IsUnsupportedAlgorithm()
    {
        var pss = new CertificateRequest("CN=pss-device", RsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pss).CreateSigningRequest();

        var request = Pkcs10Request.Decode(pss);

        request.SignatureAlgorithmOid.Should().Be("1.2.840.113549.1.1.10");
        var error = FluentActions.Invoking(request.VerifyProofOfPossession).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void Decode_CsrMadeByDotNetCertificateRequest_ReadsPasswordAndExtensions()
    {
        var dotnet = new CertificateRequest("CN=dotnet-device,O=Example", RsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        dotnet.CertificateExtensions.Add(San("dotnet.example.com"));
        var password = new AsnWriter(AsnEncodingRules.DER);
        password.WriteCharacterString(UniversalTagNumber.UTF8String, "dötnet");
        dotnet.OtherRequestAttributes.Add(new AsnEncodedData(ScepOids.ChallengePassword, password.Encode()));

        var request = Pkcs10Request.Decode(dotnet.CreateSigningRequest());

        request.CommonName.Should().Be("dotnet-device");
        request.ChallengePassword.Should().Be("dötnet");
        request.RequestedExtensions.Should().ContainSingle().Which.Oid!.Value.Should().Be("2.5.29.17");
        request.VerifyProofOfPossession();
    }

    [Test]
    public void Decode_RequestMadeHere_LoadsInDotNet()
    {
        var builder = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device,O=Example")) { ChallengePassword = "secret" };
        builder.Extensions.Add(San("device.example.com"));

        var loaded = CertificateRequest.LoadSigningRequest(builder.Build(RsaKey, HashAlgorithmName.SHA256).Encode(), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);

        loaded.SubjectName.Name.Should().Be("CN=device, O=Example");
        loaded.CertificateExtensions.Should().ContainSingle().Which.Oid!.Value.Should().Be("2.5.29.17");
    }

    [TestCase("")]
    [TestCase("3000")]
    [TestCase("30030201FF")]
    public void Decode_NotAPkcs10Request_IsMalformedContent(string hex)
    {
        var error = FluentActions.Invoking(() => Pkcs10Request.Decode(Convert.FromHexString(hex))).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.MalformedContent);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_Version1_IsMalformedContent()
    {
        var request = Scenario.Csr("CN=device", RsaKey);
        var version1 = MessageSurgery.EditSigned(request.RawData, info => info.Children[0] = AsnNode.Integer(1), RsaKey, HashAlgorithmName.SHA256);

        FluentActions.Invoking(() => Pkcs10Request.Decode(version1)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void Decode_TrailingBytes_IsMalformedContent()
    {
        var encoded = Scenario.Csr("CN=device", RsaKey).Encode().Concat(new byte[] { 0x05, 0x00 }).ToArray();

        FluentActions.Invoking(() => Pkcs10Request.Decode(encoded)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.MalformedContent);
    }
}
