using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Cms;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;
using AlgorithmIdentifier = Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier;
using BcContentInfo = Org.BouncyCastle.Asn1.Cms.ContentInfo;
using BcSignedData = Org.BouncyCastle.Asn1.Cms.SignedData;

namespace Scep.Protocol.Tests.CrossImplementation;

/// <summary>
/// Encodings real peers put on the wire (reference §4.1, interop lessons 14-22, 25-30), each built by
/// BouncyCastle or by hand with <see cref="AsnWriter"/>, and read by the codecs.
/// </summary>
public class FieldQuirkTests
{
    private const string RandomNonceOid = "1.3.6.1.4.1.3029.3.1.3";
    private const string PrivateOid = "1.3.6.1.4.1.55555.7.1";
    private const string MicrosoftHresultOid = "1.3.6.1.4.1.311.21.33";
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);

    [Test]
    public void JscepRequest_BerIndefiniteOuterAndInnerLayers_WithChunkedEContent_IsRead()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=android", TestPki.CachedRsa(1));
        var csr = BcScep.Pkcs10("CN=android", client.Rsa, "secret-123");
        var envelope = BcScep.Envelope(csr, ca.Certificate, CmsEnvelopedGenerator.DesEde3Cbc, streaming: true);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "jscep-1", RandomNumberGenerator.GetBytes(16), signingTime: Scenario.Now);

        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = client, Streaming = true, StreamBufferSize = 100 });

        // The premise: indefinite lengths outside and inside, and an eContent split into several primitive pieces.
        encoded[..2].Should().Equal(0x30, 0x80);
        envelope[..2].Should().Equal(0x30, 0x80);
        EContentChunkLengths(encoded).Should().HaveCountGreaterThan(1).And.OnlyContain(length => length <= 100);

        var message = PkiMessage.Decode(encoded);

        message.TransactionId.Should().Be("jscep-1");
        message.Content.ToArray().Should().Equal(envelope, "the pieces join to the envelope BouncyCastle wrote");
        message.VerifySignature().RawData.Should().Equal(client.Certificate.RawData);
        message.Decrypt(ca.Certificate, ca.Rsa).CertificationRequest!.ChallengePassword.Should().Be("secret-123");
    }

    [Test]
    public void JscepCertRepPending_BerIndefiniteWithAbsentEContent_IsReadAndAnswersTheRequest()
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), request.SenderNonce.ToArray(), PkiStatus.Pending);

        var encoded = BcScep.Sign(null, attributes, new BcSignature { Signer = TestPki.Ca, Streaming = true });

        encoded[..2].Should().Equal(0x30, 0x80);
        var reply = PkiMessage.Decode(encoded);
        reply.Status.Should().Be(PkiStatus.Pending);
        reply.EnsureIsReplyTo(request);
        reply.VerifySignature();
    }

    [TestCase(false, TestName = "LegacyPkcs7Content_EnvelopeDirectlyInEContent_DigestOverContentsOctets_IsReadAndVerifies")]
    [TestCase(true, TestName = "LegacyPkcs7Content_WithAWrongMessageDigest_FailsVerification")]
    public void LegacyPkcs7Content_EnvelopedDataContentInfoWithoutOctetString_IsReadAndVerifiedPerRfc2315(bool corruptDigest)
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=openscep", TestPki.CachedRsa(1));
        var csr = BcScep.Pkcs10("CN=openscep", client.Rsa, "secret-123");
        var envelope = Asn1Object.FromByteArray(BcScep.Envelope(csr, ca.Certificate, CmsEnvelopedGenerator.DesEde3Cbc)).GetEncoded(Asn1Encodable.Der);
        var nonce = RandomNumberGenerator.GetBytes(16);

        var encoded = SignWithLegacyContent(envelope, client, "openscep-1", nonce, corruptDigest);

        var message = PkiMessage.Decode(encoded);
        message.TransactionId.Should().Be("openscep-1");
        message.SenderNonce.ToArray().Should().Equal(nonce);
        message.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.TripleDesCbc);
        message.Decrypt(ca.Certificate, ca.Rsa).CertificationRequest!.RawData.ToArray().Should().Equal(csr);
        if (corruptDigest)
        {
            FluentActions.Invoking(() => message.VerifySignature())
                .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.ContentDigestMismatch);
        }
        else
        {
            message.VerifySignature().RawData.Should().Equal(client.Certificate.RawData);
        }
    }

    [Test]
    public void UnknownSignedAttributes_CryptlibRandomNonceAndAPrivateOid_AreIgnoredAndExposed()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=cryptlib", TestPki.CachedRsa(1));
        var randomNonce = new DerOctetString(RandomNumberGenerator.GetBytes(16));
        var privateValue = new DerUtf8String("vendor data");
        var nonce = RandomNumberGenerator.GetBytes(16);
        var attributes = BcScep.SignedAttributes(
            MessageType.PKCSReq, "cryptlib-1", nonce, signingTime: Scenario.Now,
            extra: [BcScep.Attribute(new DerObjectIdentifier(RandomNonceOid), randomNonce), BcScep.Attribute(new DerObjectIdentifier(PrivateOid), privateValue)]);
        var envelope = BcScep.Envelope(BcScep.Pkcs10("CN=cryptlib", client.Rsa, "secret-123"), ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);

        var message = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client }));

        message.MessageType.Should().Be(MessageType.PKCSReq);
        message.TransactionId.Should().Be("cryptlib-1");
        message.SenderNonce.ToArray().Should().Equal(nonce);
        message.OtherSignedAttributes[RandomNonceOid].ToArray().Should().Equal(randomNonce.GetEncoded(Asn1Encodable.Der));
        message.OtherSignedAttributes[PrivateOid].ToArray().Should().Equal(privateValue.GetEncoded(Asn1Encodable.Der));
        message.OtherSignedAttributes.Keys.Should().NotContain(["2.16.840.1.113733.1.9.7", "1.2.840.113549.1.9.4"], "known attributes are interpreted");
        message.VerifySignature();
        message.Decrypt(ca.Certificate, ca.Rsa).CertificationRequest!.ChallengePassword.Should().Be("secret-123");
    }

    [Test]
    public void UnknownSignedAttribute_WithTwoValues_IsIgnoredAndItsFirstValueExposed()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=vendor", TestPki.CachedRsa(1));
        var first = new DerUtf8String("first");
        var second = new DerUtf8String("second");
        var twoValues = new Org.BouncyCastle.Asn1.Cms.Attribute(new DerObjectIdentifier(PrivateOid), new DerSet(first, second));
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "vendor-1", RandomNumberGenerator.GetBytes(16), extra: [twoValues]);
        var envelope = BcScep.Envelope(BcScep.Pkcs10("CN=vendor", client.Rsa, "secret-123"), ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);

        var message = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client }));

        new[] { first.GetEncoded(Asn1Encodable.Der), second.GetEncoded(Asn1Encodable.Der) }
            .Should().ContainEquivalentOf(message.OtherSignedAttributes[PrivateOid].ToArray(), "the first value in the encoded (DER-sorted) set");
        message.TransactionId.Should().Be("vendor-1");
        message.VerifySignature();
    }

    [Test]
    public void ScepSignedAttribute_WithTwoValues_IsStillRejected()
    {
        var client = TestPki.CreateSelfSigned("CN=vendor", TestPki.CachedRsa(1));
        var twoTypes = new Org.BouncyCastle.Asn1.Cms.Attribute(BcScep.MessageTypeOid, new DerSet(new DerPrintableString("19"), new DerPrintableString("17")));
        var vector = new Asn1EncodableVector
        {
            BcScep.Attribute(BcScep.TransactionIdOid, new DerPrintableString("tid")),
            BcScep.Attribute(BcScep.SenderNonceOid, new DerOctetString(RandomNumberGenerator.GetBytes(16))),
            twoTypes,
        };
        var envelope = BcScep.Envelope([0x30, 0x00], TestPki.Ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var encoded = BcScep.Sign(envelope, new Org.BouncyCastle.Asn1.Cms.AttributeTable(vector), new BcSignature { Signer = client });

        FluentActions.Invoking(() => PkiMessage.Decode(encoded))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [TestCase(false, TestName = "NdesFailure_OneZeroByteEContent_CertificatesOmitted_VerifiesWithTheCaAsCandidate")]
    [TestCase(true, TestName = "NdesFailure_OneZeroByteEContent_EmptyCertificateSet_VerifiesWithTheCaAsCandidate")]
    public void NdesFailure_WithDummyContentAndNoSignerCertificate_VerifiesAgainstTheCandidateSigner(bool emptyCertificateSet)
    {
        var ca = TestPki.Ca;
        var ra = TestPki.CreateRa(ca, "CN=NDES RA", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(5));
        var client = TestPki.Issue(ca, "CN=device-1", TestPki.CachedRsa(1));
        var request = PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(client.Certificate), Scenario.RequestParameters(client, ca.Certificate, digest: HashAlgorithmName.SHA1));
        var hresult = new DerUtf8String("-2147024809");
        var attributes = BcScep.SignedAttributes(
            MessageType.CertRep, request.TransactionId, RandomNumberGenerator.GetBytes(16), request.SenderNonce.ToArray(),
            PkiStatus.Failure, FailInfo.BadRequest, extra: [BcScep.Attribute(new DerObjectIdentifier(MicrosoftHresultOid), hresult)]);
        var encoded = BcScep.Sign([0x00], attributes, new BcSignature { Signer = ca, DigestOid = CmsSignedGenerator.DigestSha1, Certificates = [] });
        if (emptyCertificateSet)
        {
            encoded = WithEmptyCertificateSet(encoded);
            BcSignedData.GetInstance(BcContentInfo.GetInstance(Asn1Object.FromByteArray(encoded)).Content).Certificates.Count.Should().Be(0, "the set is present and empty");
        }

        var reply = PkiMessage.Decode(encoded);

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA1);
        reply.Certificates.Should().BeEmpty();
        reply.SignerCertificate.Should().BeNull();
        reply.Content.ToArray().Should().Equal(0x00);
        reply.Envelope.Should().BeNull("one zero byte is no EnvelopedData");
        reply.OtherSignedAttributes[MicrosoftHresultOid].ToArray().Should().Equal(hresult.GetEncoded(Asn1Encodable.Der));
        reply.EnsureIsReplyTo(request);
        FluentActions.Invoking(() => reply.VerifySignature())
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
        reply.VerifySignature(candidateSigners: [ra.Certificate, ca.Certificate]).RawData.Should().Equal(ca.Certificate.RawData);
    }

    [TestCase(2049, UniversalTagNumber.UtcTime)]
    [TestCase(2050, UniversalTagNumber.GeneralizedTime)]
    public void SigningTime_AsUtcTimeOrGeneralizedTime_IsRead(int year, UniversalTagNumber expectedTag)
    {
        var client = TestPki.CreateSelfSigned("CN=device-1", TestPki.CachedRsa(1));
        var time = new DateTimeOffset(year, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "time-1", RandomNumberGenerator.GetBytes(16), signingTime: time);
        var envelope = BcScep.Envelope(BcScep.Pkcs10("CN=device-1", client.Rsa, "secret-123"), TestPki.Ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = client });

        var bcTime = BcScep.Value(BcScep.SingleSigner(new CmsSignedData(encoded)), Org.BouncyCastle.Asn1.Cms.CmsAttributes.SigningTime)!;
        bcTime.GetEncoded(Asn1Encodable.Der)[0].Should().Be((byte)expectedTag, "the premise: RFC 5652 §11.3 picks the time type by year");
        var message = PkiMessage.Decode(encoded);

        message.SigningTime.Should().Be(time);
        message.VerifySignature();
    }

    [TestCase(8)]
    [TestCase(32)]
    public void ShortAndLongNonces_FromOldIosAndCryptlib_AreAcceptedAndEchoedByteExact(int nonceLength)
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=iphone", TestPki.CachedRsa(1));
        var nonce = RandomNumberGenerator.GetBytes(nonceLength);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "ios-1", nonce);
        var envelope = BcScep.Envelope(BcScep.Pkcs10("CN=iphone", client.Rsa, "secret-123"), ca.Certificate, CmsEnvelopedGenerator.DesEde3Cbc);
        var request = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client, DigestOid = CmsSignedGenerator.DigestSha1 }));
        request.VerifySignature();
        request.SenderNonce.ToArray().Should().Equal(nonce);
        var issued = TestPki.Issue(ca, "CN=iphone", client.Key);

        var success = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate]), Scenario.ReplyParameters(ca));
        var failure = CertRep.CreateFailure(request, FailInfo.BadRequest, null, Scenario.ReplyParameters(ca));

        foreach (var reply in new[] { success, failure })
        {
            reply.RecipientNonce.ToArray().Should().Equal(nonce);
            reply.EnsureIsReplyTo(request);
            var signer = BcScep.VerifySingleSigner(reply.RawData, ca.Certificate);
            BcScep.OctetString(signer, BcScep.RecipientNonceOid).Should().Equal(nonce, "BouncyCastle reads the echoed nonce unchanged");
            BcScep.OctetString(signer, BcScep.SenderNonceOid).Should().HaveCount(16, "the reply's own nonce is fresh");
        }

        BcScep.Decrypt(success.Content, client).Should().Equal(DegenerateCertificateSet.Create([issued.Certificate]).RawData.ToArray());
    }

    [TestCase("SHA1Explicit", TestName = "RsaOaep_BcBuiltWithSha1Parameters_Decrypts")]
    [TestCase("SHA1Defaults", TestName = "RsaOaep_BcBuiltWithDefaultParameters_Decrypts")]
    [TestCase("SHA256", TestName = "RsaOaep_BcBuiltWithSha256Parameters_WindowsStyle_Decrypts")]
    [TestCase("SHA256Label", TestName = "RsaOaep_BcBuiltWithSha256ParametersAndAnExplicitEmptyLabel_Decrypts")]
    public void RsaOaepKeyTransport_BuiltByBouncyCastle_Decrypts(string parameters)
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=windows", TestPki.CachedRsa(2));
        var csr = BcScep.Pkcs10("CN=windows", client.Rsa, "secret-123");
        var keyTransport = parameters switch
        {
            "SHA1Explicit" => BcScep.OaepKeyTransport(OiwObjectIdentifiers.IdSha1),
            "SHA1Defaults" => new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsaesOaep, new RsaesOaepParameters()),
            "SHA256" => BcScep.OaepKeyTransport(NistObjectIdentifiers.IdSha256),
            _ => WithExplicitEmptyLabel(BcScep.OaepKeyTransport(NistObjectIdentifiers.IdSha256)),
        };
        var envelope = BcScep.Envelope(csr, ca.Certificate, CmsEnvelopedGenerator.Aes256Cbc, keyTransport: keyTransport);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "windows-1", RandomNumberGenerator.GetBytes(16));

        var message = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client }));

        var bcRecipient = new CmsEnvelopedData(envelope).GetRecipientInfos().GetRecipients().Single();
        RsaesOaepParameters.GetInstance(bcRecipient.KeyEncryptionAlgParams).HashAlgorithm.Algorithm.Should()
            .Be(parameters.StartsWith("SHA256", StringComparison.Ordinal) ? NistObjectIdentifiers.IdSha256 : OiwObjectIdentifiers.IdSha1, "the premise: BouncyCastle wrote these parameters");
        message.Envelope!.Recipients.Single().KeyEncryptionAlgorithmOid.Should().Be("1.2.840.113549.1.1.7");
        message.Decrypt(ca.Certificate, ca.Rsa).RawData.ToArray().Should().Equal(csr);
        FluentActions.Invoking(() => message.Decrypt(ca.Certificate, ca.Rsa, ScepAlgorithmPolicy.Default.WithKeyTransportAlgorithms([KeyTransportAlgorithm.RsaPkcs1])))
            .Should().Throw<ScepException>().Which.FailInfo.Should().Be(FailInfo.BadAlg, "the policy decides, so OAEP was recognised");
    }

    [Test]
    public void KeyTransport_WithASubjectKeyIdentifierRecipient_Decrypts()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=device-1", TestPki.CachedRsa(1));
        var csr = BcScep.Pkcs10("CN=device-1", client.Rsa, "secret-123");
        var generator = new CmsEnvelopedDataGenerator();
        generator.AddKeyTransRecipient(BcConvert.ToBcPublicKey(ca.Rsa), BcScep.SubjectKeyIdentifier(ca.Certificate));
        var envelope = generator.Generate(new CmsProcessableByteArray(csr), new DerObjectIdentifier(CmsEnvelopedGenerator.Aes128Cbc)).GetEncoded();
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "ski-rid-1", RandomNumberGenerator.GetBytes(16));

        var message = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client }));

        var recipient = message.Envelope!.Recipients.Single();
        recipient.IssuerAndSerialNumber.Should().BeNull("the premise: the rid is a subjectKeyIdentifier");
        recipient.SubjectKeyIdentifier.ToArray().Should().Equal(BcScep.SubjectKeyIdentifier(ca.Certificate));
        message.Envelope.FindRecipientCertificate([TestPki.CreateSelfSigned("CN=other", TestPki.CachedRsa(2)).Certificate, ca.Certificate])!
            .RawData.Should().Equal(ca.Certificate.RawData);
        message.Decrypt(ca.Certificate, ca.Rsa).RawData.ToArray().Should().Equal(csr);
    }

    [Test]
    public void WindowsSignerCertificate_WithACriticalAuthorityKeyIdentifier_IsAccepted()
    {
        var ca = TestPki.Ca;
        var client = SignerWithKeyIdentifiers("CN=windows-aki", TestPki.CachedRsa(2), criticalAuthorityKeyIdentifier: true);
        client.Certificate.Extensions["2.5.29.35"]!.Critical.Should().BeTrue("the premise: the AKI is critical");
        var csr = BcScep.Pkcs10("CN=windows-aki", client.Rsa, "secret-123");
        var envelope = BcScep.Envelope(csr, ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "windows-aki-1", RandomNumberGenerator.GetBytes(16));

        var request = PkiMessage.Decode(BcScep.Sign(envelope, attributes, new BcSignature { Signer = client }));

        request.SignerCertificate!.RawData.Should().Equal(client.Certificate.RawData);
        request.VerifySignature().RawData.Should().Equal(client.Certificate.RawData);
        var content = request.Decrypt(ca.Certificate, ca.Rsa);
        content.CertificationRequest!.HasSamePublicKeyAs(client.Certificate).Should().BeTrue();
        RenewalDetection.Classify(request, content.CertificationRequest, [ca.Certificate]).Kind.Should().Be(EnrollmentKind.InitialEnrollment);
        var issued = TestPki.Issue(ca, "CN=windows-aki", client.Key);
        var reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate]), Scenario.ReplyParameters(ca));
        BcScep.Decrypt(reply.Content, client).Should().Equal(DegenerateCertificateSet.Create([issued.Certificate]).RawData.ToArray());
    }

    [Test]
    public void SignerInfo_WithSha256WithRsaEncryptionAsSignatureAlgorithm_Verifies()
    {
        var ca = TestPki.Ca;
        var client = TestPki.CreateSelfSigned("CN=device-1", TestPki.CachedRsa(1));
        var envelope = BcScep.Envelope(BcScep.Pkcs10("CN=device-1", client.Rsa, "secret-123"), ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "sha256rsa-1", RandomNumberGenerator.GetBytes(16));

        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = client, SignatureAlgorithmOid = "1.2.840.113549.1.1.11" });

        var message = PkiMessage.Decode(encoded);
        message.SignatureAlgorithmOid.Should().Be("1.2.840.113549.1.1.11", "the premise: not rsaEncryption");
        message.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA256);
        message.VerifySignature().RawData.Should().Equal(client.Certificate.RawData);
    }

    [Test]
    public void SignerInfo_WithSubjectKeyIdentifierSid_FindsTheSignerVerifiesAndReceivesTheReply()
    {
        var ca = TestPki.Ca;
        var client = SignerWithKeyIdentifiers("CN=ski-device", TestPki.CachedRsa(1), criticalAuthorityKeyIdentifier: false);
        var csr = BcScep.Pkcs10("CN=ski-device", client.Rsa, "secret-123");
        var envelope = BcScep.Envelope(csr, ca.Certificate, CmsEnvelopedGenerator.Aes128Cbc);
        var attributes = BcScep.SignedAttributes(MessageType.PKCSReq, "ski-1", RandomNumberGenerator.GetBytes(16));

        var encoded = BcScep.Sign(envelope, attributes, new BcSignature { Signer = client, SubjectKeyIdentifierSid = true, Certificates = [ca.Certificate, client.Certificate] });

        var bcSigner = BcScep.SingleSigner(new CmsSignedData(encoded));
        bcSigner.Version.Should().Be(3, "the premise: sid is subjectKeyIdentifier");
        Asn1OctetString.GetInstance(bcSigner.SignerID.SubjectKeyIdentifier).GetOctets().Should().Equal(BcScep.SubjectKeyIdentifier(client.Certificate));
        var request = PkiMessage.Decode(encoded);
        request.SignerCertificate!.RawData.Should().Equal(client.Certificate.RawData, "the SKI picks the signer, not the position");
        request.VerifySignature().RawData.Should().Equal(client.Certificate.RawData);
        request.Decrypt(ca.Certificate, ca.Rsa).RawData.ToArray().Should().Equal(csr);
        var issued = TestPki.Issue(ca, "CN=ski-device", client.Key);
        var reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued.Certificate]), Scenario.ReplyParameters(ca));
        BcScep.Decrypt(reply.Content, client).Should().Equal(DegenerateCertificateSet.Create([issued.Certificate]).RawData.ToArray());
    }

    private static AlgorithmIdentifier WithExplicitEmptyLabel(AlgorithmIdentifier oaep)
    {
        var parameters = RsaesOaepParameters.GetInstance(oaep.Parameters);
        var label = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPSpecified, new DerOctetString(Array.Empty<byte>()));
        return new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsaesOaep, new RsaesOaepParameters(parameters.HashAlgorithm, parameters.MaskGenAlgorithm, label));
    }

    /// <summary>A self-signed client certificate with a subject key identifier and, optionally, a critical AKI (as Windows makes them).</summary>
    private static TestCredential SignerWithKeyIdentifiers(string subject, RSA key, bool criticalAuthorityKeyIdentifier)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var subjectKeyIdentifier = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(subjectKeyIdentifier);
        if (criticalAuthorityKeyIdentifier)
        {
            var authorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyIdentifier);
            request.CertificateExtensions.Add(new X509Extension(authorityKeyIdentifier.Oid!, authorityKeyIdentifier.RawData, critical: true));
        }

        using var certificate = request.CreateSelfSigned(TestPki.NotBefore, TestPki.NotBefore.AddYears(1));
        return new TestCredential(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>
    /// A PKCSReq in the old PKCS#7 form (OpenSCEP, .NET Framework): eContent [0] holds the EnvelopedData ContentInfo
    /// itself, and messageDigest covers its contents octets only (RFC 2315 §9.3). Written with <see cref="AsnWriter"/>.
    /// </summary>
    private static byte[] SignWithLegacyContent(byte[] envelope, TestCredential signer, string transactionId, byte[] nonce, bool corruptDigest)
    {
        AsnDecoder.ReadEncodedValue(envelope, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out _);
        var digest = SHA256.HashData(envelope.AsSpan(contentOffset, contentLength));
        if (corruptDigest)
        {
            digest[0] ^= 0xFF;
        }

        var attributes = new AsnWriter(AsnEncodingRules.DER);
        attributes.PushSetOf(Context0);
        WriteAttribute(attributes, "1.2.840.113549.1.9.3", w => w.WriteObjectIdentifier("1.2.840.113549.1.7.1"));
        WriteAttribute(attributes, "1.2.840.113549.1.9.4", w => w.WriteOctetString(digest));
        WriteAttribute(attributes, "2.16.840.1.113733.1.9.7", w => w.WriteCharacterString(UniversalTagNumber.PrintableString, transactionId));
        WriteAttribute(attributes, "2.16.840.1.113733.1.9.2", w => w.WriteCharacterString(UniversalTagNumber.PrintableString, "19"));
        WriteAttribute(attributes, "2.16.840.1.113733.1.9.5", w => w.WriteOctetString(nonce));
        attributes.PopSetOf(Context0);
        var signedAttributes = attributes.Encode();
        var toBeSigned = (byte[])signedAttributes.Clone();
        toBeSigned[0] = 0x31;
        var signature = signer.Rsa.SignData(toBeSigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteObjectIdentifier("1.2.840.113549.1.7.2");
        writer.PushSequence(Context0);
        writer.PushSequence();
        writer.WriteInteger(1);
        writer.PushSetOf();
        WriteSha256(writer);
        writer.PopSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier("1.2.840.113549.1.7.1");
        writer.PushSequence(Context0);
        writer.WriteEncodedValue(envelope); // no OCTET STRING around the ContentInfo
        writer.PopSequence(Context0);
        writer.PopSequence();
        writer.PushSetOf(Context0);
        writer.WriteEncodedValue(signer.Certificate.RawData);
        writer.PopSetOf(Context0);
        writer.PushSetOf();
        writer.PushSequence();
        writer.WriteInteger(1);
        writer.PushSequence();
        writer.WriteEncodedValue(signer.Certificate.IssuerName.RawData);
        writer.WriteInteger(signer.Certificate.SerialNumberBytes.Span);
        writer.PopSequence();
        WriteSha256(writer);
        writer.WriteEncodedValue(signedAttributes);
        writer.PushSequence();
        writer.WriteObjectIdentifier("1.2.840.113549.1.1.1");
        writer.WriteNull();
        writer.PopSequence();
        writer.WriteOctetString(signature);
        writer.PopSequence();
        writer.PopSetOf();
        writer.PopSequence();
        writer.PopSequence(Context0);
        writer.PopSequence();
        return writer.Encode();

        static void WriteSha256(AsnWriter w)
        {
            w.PushSequence();
            w.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
            w.PopSequence();
        }

        static void WriteAttribute(AsnWriter w, string oid, Action<AsnWriter> value)
        {
            w.PushSequence();
            w.WriteObjectIdentifier(oid);
            w.PushSetOf();
            value(w);
            w.PopSetOf();
            w.PopSequence();
        }
    }

    /// <summary>Re-encodes a SignedData with BouncyCastle's ASN.1 classes, with a present but empty certificates set.</summary>
    private static byte[] WithEmptyCertificateSet(byte[] encoded)
    {
        var contentInfo = BcContentInfo.GetInstance(Asn1Object.FromByteArray(encoded));
        var signedData = BcSignedData.GetInstance(contentInfo.Content);
        var rewritten = new BcSignedData(signedData.DigestAlgorithms, signedData.EncapContentInfo, new DerSet(), signedData.CRLs, signedData.SignerInfos);
        return new BcContentInfo(contentInfo.ContentType, rewritten).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>The lengths of the primitive pieces of a constructed eContent OCTET STRING.</summary>
    private static int[] EContentChunkLengths(byte[] encoded)
    {
        var contentInfo = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(Context0).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf(skipSortOrderValidation: true);
        var encapsulated = signedData.ReadSequence();
        encapsulated.ReadObjectIdentifier();
        var eContent = encapsulated.ReadSequence(Context0).ReadEncodedValue();
        eContent.Span[0].Should().Be(0x24, "a constructed OCTET STRING");
        AsnDecoder.ReadEncodedValue(eContent.Span, AsnEncodingRules.BER, out var offset, out var length, out _);
        var chunks = new AsnReader(eContent.Slice(offset, length), AsnEncodingRules.BER);
        var lengths = new System.Collections.Generic.List<int>();
        while (chunks.HasData)
        {
            lengths.Add(chunks.ReadOctetString().Length);
        }

        return [.. lengths];
    }
}
