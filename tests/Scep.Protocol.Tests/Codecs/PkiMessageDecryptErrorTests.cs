using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// The reasons <see cref="PkiMessage.Decrypt"/> and <see cref="PkiEnvelope.Decrypt"/> give (reference §10.1
/// steps 10 and 11). A tampered content key and a tampered ciphertext get the same answer, so that a
/// server's replies are no padding oracle.
/// </summary>
public class PkiMessageDecryptErrorTests
{
    private TestCredential _ca = null!;
    private TestCredential _otherCa = null!;
    private PkiMessage _request = null!;
    private TestCredential _client = null!;
    private Pkcs10Request _csr = null!;

    [OneTimeSetUp]
    public void CreateRequest()
    {
        _ca = TestPki.CreateCa("CN=Decrypt CA,O=Scep.Protocol Tests", TestPki.CachedRsa(50, 1024));
        _otherCa = TestPki.CreateCa("CN=Other CA,O=Scep.Protocol Tests", TestPki.CachedRsa(51, 1024));
        (_request, _client, _csr) = Scenario.PkcsReq(_ca);
    }

    private ScepException DecryptFails(byte[] encoded, X509Certificate2? certificate = null, RSA? key = null, ScepAlgorithmPolicy? policy = null)
    {
        var message = PkiMessage.Decode(encoded);
        return FluentActions.Invoking(() => message.Decrypt(certificate ?? _ca.Certificate, key ?? _ca.Rsa, policy))
            .Should().Throw<ScepException>().Which;
    }

    private byte[] WithEnvelope(Action<EnvelopeTree> edit) => MessageSurgery.Edit(_request, m => m.EditEnvelope(edit).Resign(_client.Key));

    [Test]
    public void Decrypt_UntouchedMessage_ReturnsTheCsr()
    {
        PkiMessage.Decode(_request.Encode()).Decrypt(_ca.Certificate, _ca.Rsa).CertificationRequest!.RawData.ToArray()
            .Should().Equal(_csr.RawData.ToArray());
    }

    [Test]
    public void Decrypt_SurgeryWithoutChange_StillDecrypts()
    {
        var rebuilt = WithEnvelope(_ => { });

        PkiMessage.Decode(rebuilt).Decrypt(_ca.Certificate, _ca.Rsa).CertificationRequest.Should().NotBeNull();
    }

    [Test]
    public void Decrypt_CiphertextFlippedInThePaddingBlock_IsDecryptionFailed()
    {
        // CBC: flipping the last byte of the second-to-last block flips the padding length byte to a value above 16.
        var tampered = WithEnvelope(e => e.EncryptedContent.Content = MessageSurgery.Flip(e.EncryptedContent.Content, -17, 0x80));

        var error = DecryptFails(tampered);

        error.Reason.Should().Be(ScepError.DecryptionFailed);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(15)]
    public void Decrypt_CiphertextFlippedInTheFirstBlock_IsDecryptionFailed(int index)
    {
        // The first plaintext block, which holds the DER header of the messageData, decrypts to noise.
        var tampered = WithEnvelope(e => e.EncryptedContent.Content = MessageSurgery.Flip(e.EncryptedContent.Content, index));

        var error = DecryptFails(tampered);

        error.Reason.Should().Be(ScepError.DecryptionFailed);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(64)]
    [TestCase(-1)]
    public void Decrypt_EncryptedKeyFlipped_IsDecryptionFailedLikeATamperedCiphertext(int index)
    {
        var tampered = WithEnvelope(e => e.EncryptedKey.Content = MessageSurgery.Flip(e.EncryptedKey.Content, index));

        var error = DecryptFails(tampered);

        error.Reason.Should().Be(ScepError.DecryptionFailed);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decrypt_EncryptedKeyTruncated_IsDecryptionFailed()
    {
        var tampered = WithEnvelope(e => e.EncryptedKey.Content = e.EncryptedKey.Content[..^1]);

        DecryptFails(tampered).Reason.Should().Be(ScepError.DecryptionFailed);
    }

    [Test]
    public void Decrypt_AnotherRecipientsCertificateAndKey_IsRecipientNotFound()
    {
        var error = DecryptFails(_request.Encode(), _otherCa.Certificate, _otherCa.Rsa);

        error.Reason.Should().Be(ScepError.RecipientNotFound);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decrypt_RightCertificateWithWrongKey_IsDecryptionFailed()
    {
        var error = DecryptFails(_request.Encode(), _ca.Certificate, _otherCa.Rsa);

        error.Reason.Should().Be(ScepError.DecryptionFailed);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decrypt_WrongKeyManyTimes_NeverReportsAnythingButDecryptionFailed()
    {
        // A wrong key continues with a random content key; CBC padding then passes about one time in 200,
        // and the noise it yields must still be reported as a decryption failure, not as bad content.
        var envelope = _request.Envelope!;
        var reasons = Enumerable.Range(0, 400)
            .Select(_ =>
            {
                try
                {
                    envelope.Decrypt(_ca.Certificate, _otherCa.Rsa);
                    return (ScepError?)null;
                }
                catch (ScepException e)
                {
                    return e.Reason;
                }
            })
            .Distinct()
            .ToList();

        reasons.Should().Equal(ScepError.DecryptionFailed);
    }

    [TestCase("3080")]
    [TestCase("3084FFFFFFFF")]
    [TestCase("300500")]
    [TestCase("3000FF")]
    [TestCase("")]
    public void PkiEnvelopeDecrypt_PlaintextThatIsNotOneBerValue_IsDecryptionFailed(string plaintextHex)
    {
        // What a wrong content key can yield when the padding happens to pass: framing that is impossible, short or long.
        var envelope = PkiEnvelope.Create(Convert.FromHexString(plaintextHex), _ca.Certificate);

        var error = FluentActions.Invoking(() => envelope.Decrypt(_ca.Certificate, _ca.Rsa)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.DecryptionFailed);
    }

    [Test]
    public void Decrypt_UnknownContentEncryptionOid_IsUnsupportedAlgorithm()
    {
        const string unknown = "2.16.840.1.101.3.4.1.6"; // AES-128-GCM: not a SCEP cipher
        var tampered = WithEnvelope(e => e.ContentEncryptionAlgorithm.Children[0] = AsnNode.ObjectIdentifier(unknown));
        var message = PkiMessage.Decode(tampered);

        message.Envelope!.ContentEncryptionAlgorithm.Should().BeNull();
        message.Envelope.ContentEncryptionAlgorithmOid.Should().Be(unknown);
        var error = FluentActions.Invoking(() => message.Decrypt(_ca.Certificate, _ca.Rsa)).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void Decrypt_UnknownKeyTransportOid_IsUnsupportedAlgorithm()
    {
        var tampered = WithEnvelope(e => e.KeyEncryptionAlgorithm.Children[0] = AsnNode.ObjectIdentifier("1.2.840.113549.1.1.10"));

        var error = DecryptFails(tampered);

        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void Decrypt_OaepWithMismatchedMaskHash_IsUnsupportedAlgorithm()
    {
        var oaep = PkiMessage.CreatePkcsReq(_csr, Scenario.RequestParameters(_client, _ca.Certificate, keyTransport: KeyTransportAlgorithm.RsaOaepSha256));
        var tampered = MessageSurgery.Edit(oaep, m => m.EditEnvelope(e =>
        {
            // RSAES-OAEP-params { [0] sha256, [1] mgf1(sha256) }: make the MGF1 hash SHA-1.
            var mgfHash = e.KeyEncryptionAlgorithm[1][1][0][1];
            mgfHash.Children[0] = AsnNode.ObjectIdentifier(ScepOids.Sha1);
        }));

        DecryptFails(tampered).Reason.Should().Be(ScepError.UnsupportedAlgorithm);
    }

    [Test]
    public void Decrypt_OaepParametersMalformed_IsMalformedEnvelope()
    {
        var oaep = PkiMessage.CreatePkcsReq(_csr, Scenario.RequestParameters(_client, _ca.Certificate, keyTransport: KeyTransportAlgorithm.RsaOaepSha256));
        var tampered = MessageSurgery.Edit(oaep, m => m.EditEnvelope(e =>
            e.KeyEncryptionAlgorithm.Children[1] = AsnNode.Set(e.KeyEncryptionAlgorithm[1].Children.ToArray())));

        var error = DecryptFails(tampered);

        error.Reason.Should().Be(ScepError.MalformedEnvelope);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decrypt_DesUnderDefaultPolicy_IsAlgorithmNotAllowed()
    {
        var (des, _, _) = Scenario.PkcsReq(_ca, ContentEncryptionAlgorithm.DesCbc);

        var error = DecryptFails(des.Encode(), policy: ScepAlgorithmPolicy.Default);

        error.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
        des.Decrypt(_ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy).CertificationRequest.Should().NotBeNull();
    }

    [Test]
    public void Decrypt_TripleDesUnderStrictPolicy_IsAlgorithmNotAllowed()
    {
        var (tripleDes, _, _) = Scenario.PkcsReq(_ca, ContentEncryptionAlgorithm.TripleDesCbc);

        DecryptFails(tripleDes.Encode(), policy: ScepAlgorithmPolicy.Strict).Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void Decrypt_OaepWhenThePolicyAllowsOnlyPkcs1_IsAlgorithmNotAllowed()
    {
        var oaep = PkiMessage.CreatePkcsReq(_csr, Scenario.RequestParameters(_client, _ca.Certificate, keyTransport: KeyTransportAlgorithm.RsaOaepSha1));
        var pkcs1Only = ScepAlgorithmPolicy.Default.WithKeyTransportAlgorithms([KeyTransportAlgorithm.RsaPkcs1]);

        DecryptFails(oaep.Encode(), policy: pkcs1Only).Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void Decrypt_IvOfTheWrongLength_IsMalformedEnvelope()
    {
        var tampered = WithEnvelope(e => e.ContentEncryptionAlgorithm.Children[1] = AsnNode.OctetString(new byte[8]));

        DecryptFails(tampered).Reason.Should().Be(ScepError.MalformedEnvelope);
    }

    [Test]
    public void Decrypt_OnlyAPasswordRecipient_IsUnsupportedAlgorithm()
    {
        var tampered = WithEnvelope(e => e.RecipientInfos.Children[0] = AsnNode.Constructed(
            new Asn1Tag(TagClass.ContextSpecific, 3),
            AsnNode.Integer(0),
            AsnNode.Sequence(AsnNode.ObjectIdentifier("1.2.840.113549.1.9.16.3.9")),
            AsnNode.OctetString(new byte[24])));

        DecryptFails(tampered).Reason.Should().Be(ScepError.UnsupportedAlgorithm);
    }

    [Test]
    public void Decrypt_ContentIsNotAnEnvelopedData_DecodesButIsMalformedEnvelope()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.EContent = _csr.Encode());
        var message = PkiMessage.Decode(tampered);

        message.Envelope.Should().BeNull();
        var error = FluentActions.Invoking(() => message.Decrypt(_ca.Certificate, _ca.Rsa)).Should().Throw<ScepException>().Which;
        error.Reason.Should().Be(ScepError.MalformedEnvelope);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public void Decrypt_PendingReplyWithoutContent_IsMissingContent()
    {
        var pending = CertRep.CreatePending(_request, Scenario.ReplyParameters(_ca));

        var error = FluentActions.Invoking(() => pending.Decrypt(_client.Certificate, _client.Rsa)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.MissingContent);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decrypt_PkcsReqCarryingAnIssuerAndSubject_IsMalformedContent()
    {
        var issuerAndSubject = IssuerAndSubject.Create(_ca.Certificate.SubjectName, _csr.Subject);
        var request = PkiMessage.CreateRequest(MessageType.PKCSReq, issuerAndSubject.Encode(), Scenario.RequestParameters(_client, _ca.Certificate));

        var error = DecryptFails(request.Encode());

        error.Reason.Should().Be(ScepError.MalformedContent);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decrypt_GetCertCarryingACsr_IsMalformedContent()
    {
        var request = PkiMessage.CreateRequest(MessageType.GetCert, _csr.RawData.Span, Scenario.RequestParameters(_client, _ca.Certificate));

        DecryptFails(request.Encode()).Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void Decrypt_CertPollCarryingAnIssuerAndSerialNumber_IsMalformedContent()
    {
        var serial = IssuerAndSerialNumber.FromCertificate(_ca.Certificate);
        var request = PkiMessage.CreateRequest(MessageType.CertPoll, serial.Encode(), Scenario.RequestParameters(_client, _ca.Certificate));

        DecryptFails(request.Encode()).Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void Decrypt_SuccessReplyCarryingACsrInsteadOfCertificates_IsMalformedContent()
    {
        var reply = PkiMessage.Decode(MessageSurgery.Edit(
            CertRep.CreateSuccess(_request, DegenerateCertificateSet.Create([_ca.Certificate]), Scenario.ReplyParameters(_ca)),
            m => m.EContent = PkiEnvelope.Create(_csr.RawData.Span, _client.Certificate).RawData.ToArray()));

        var error = FluentActions.Invoking(() => reply.Decrypt(_client.Certificate, _client.Rsa)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.MalformedContent);
    }

    [Test]
    public void PkiEnvelopeCreate_OaepSha512ToA1024BitKey_IsUnsupportedAlgorithm()
    {
        // 1024-bit RSA cannot carry anything with OAEP-SHA512 (2 * 64 + 2 octets of overhead in 128).
        var error = FluentActions.Invoking(() => PkiEnvelope.Create(_csr.RawData.Span, _ca.Certificate, ContentEncryptionAlgorithm.Aes128Cbc, KeyTransportAlgorithm.RsaOaepSha512))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
        PkiEnvelope.Create(_csr.RawData.Span, _ca.Certificate, ContentEncryptionAlgorithm.Aes256Cbc, KeyTransportAlgorithm.RsaOaepSha256)
            .Decrypt(_ca.Certificate, _ca.Rsa).Should().Equal(_csr.RawData.ToArray());
    }

    [Test]
    public void CertRepCreateSuccess_OaepSha512ToAClientWithA1024BitKey_IsUnsupportedAlgorithm()
    {
        var parameters = new CertRepParameters
        {
            SignerCertificate = _ca.Certificate,
            SignerKey = _ca.Key,
            SigningTime = Scenario.Now,
            KeyTransport = KeyTransportAlgorithm.RsaOaepSha512,
        };
        var smallClient = TestPki.CreateSelfSigned("CN=small", TestPki.CachedRsa(52, 1024));
        var request = PkiMessage.CreatePkcsReq(Scenario.Csr("CN=small", smallClient.Key), Scenario.RequestParameters(smallClient, _ca.Certificate));

        FluentActions.Invoking(() => CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([_ca.Certificate]), parameters))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
    }

    [Test]
    public void VerifyProofOfPossession_CsrWithBrokenSignature_IsInvalidProofOfPossession()
    {
        var broken = Pkcs10Request.Decode(BreakCsrSignature(_csr));
        var request = PkiMessage.CreatePkcsReq(broken, Scenario.RequestParameters(_client, _ca.Certificate));
        var csr = request.Decrypt(_ca.Certificate, _ca.Rsa).CertificationRequest!;

        var error = FluentActions.Invoking(csr.VerifyProofOfPossession).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.InvalidProofOfPossession);
        error.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    private static byte[] BreakCsrSignature(Pkcs10Request csr)
    {
        var tree = AsnNode.Parse(csr.RawData.Span);
        tree[2].Content = MessageSurgery.Flip(tree[2].Content, -1);
        return tree.Encode();
    }
}
