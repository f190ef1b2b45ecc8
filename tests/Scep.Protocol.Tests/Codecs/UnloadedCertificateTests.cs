using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// The server's path that never loads a certificate into the platform (docs/performance.md): verification with the
/// carried signer's DER, renewal detection from a message, CertRep envelopes to the signer's DER, certificate sets
/// from DER, and the process-wide public-key cache. Each must answer exactly as the loading path does.
/// </summary>
public class UnloadedCertificateTests
{
    private static RSA DeviceKey => TestPki.CachedRsa(110, 1024);

    [Test]
    public void EnsureSignatureValid_UntouchedRequest_PassesAndSignerPublicKeyInfoIsTheSignersKey()
    {
        var (request, client, _) = Scenario.PkcsReq(TestPki.Ca);
        var decoded = PkiMessage.Decode(request.Encode());

        decoded.EnsureSignatureValid();

        decoded.SignerPublicKeyInfo.ToArray().Should().Equal(client.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void EnsureSignatureValid_SignatureByteFlipped_FailsWithTheReasonVerifySignatureGives(int index)
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var tampered = PkiMessage.Decode(MessageSurgery.Edit(request, m => m.Signature.Content = MessageSurgery.Flip(m.Signature.Content, index)));

        var viaDer = FluentActions.Invoking(() => tampered.EnsureSignatureValid()).Should().Throw<ScepException>().Which;
        var viaLoaded = FluentActions.Invoking(() => tampered.VerifySignature()).Should().Throw<ScepException>().Which;

        viaDer.Reason.Should().Be(ScepError.SignatureInvalid);
        viaDer.Reason.Should().Be(viaLoaded.Reason);
    }

    [Test]
    public void EnsureSignatureValid_SignerNotCarried_IsSignerCertificateNotFoundAndTheKeyIsEmpty()
    {
        var (request, _, _) = Scenario.PkcsReq(TestPki.Ca);
        var stripped = PkiMessage.Decode(MessageSurgery.Edit(request, m => m.SignedData.Children.Remove(m.Certificates!)));

        FluentActions.Invoking(() => stripped.EnsureSignatureValid()).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.SignerCertificateNotFound);
        stripped.SignerPublicKeyInfo.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void VerifySignature_CandidateWithTheCarriedSignersBytes_IsReturnedInsteadOfASecondLoadedCopy()
    {
        var (request, client, _) = Scenario.PkcsReq(TestPki.Ca);
        var reply = PkiMessage.Decode(CertRep.CreatePending(request, Scenario.ReplyParameters(TestPki.Ca)).Encode());
        var sameBytes = X509CertificateLoader.LoadCertificate(TestPki.Ca.Certificate.RawData);

        reply.VerifySignature(candidateSigners: [client.Certificate, sameBytes]).Should().BeSameAs(sameBytes);
        var loadedFromTheReply = reply.VerifySignature();
        loadedFromTheReply.Should().NotBeSameAs(sameBytes);
        loadedFromTheReply.RawData.Should().Equal(sameBytes.RawData);
    }

    public enum Signer
    {
        SelfSignedSameKey,
        SelfSignedOtherKey,
        IssuedByCa,
        IssuedByPreviousCa,
        IssuedByForeignCa,
        TheCaItself,
    }

    [TestCase(Signer.SelfSignedSameKey)]
    [TestCase(Signer.SelfSignedOtherKey)]
    [TestCase(Signer.IssuedByCa)]
    [TestCase(Signer.IssuedByPreviousCa)]
    [TestCase(Signer.IssuedByForeignCa)]
    [TestCase(Signer.TheCaItself)]
    public void ClassifyFromMessage_AgreesWithClassifyFromTheLoadedSignerCertificate(Signer kind)
    {
        var ca = TestPki.CreateCa("CN=Unloaded CA,O=Scep.Protocol Tests", TestPki.CachedRsa(111, 1024));
        var previous = TestPki.CreateCa("CN=Unloaded CA,O=Scep.Protocol Tests", TestPki.CachedRsa(112, 1024));
        var foreign = TestPki.CreateCa("CN=Elsewhere CA", TestPki.CachedRsa(113, 1024));
        var signer = kind switch
        {
            Signer.SelfSignedSameKey or Signer.SelfSignedOtherKey => TestPki.CreateSelfSigned("CN=device", DeviceKey),
            Signer.IssuedByCa => TestPki.Issue(ca, "CN=device", DeviceKey),
            Signer.IssuedByPreviousCa => TestPki.Issue(previous, "CN=device", DeviceKey),
            Signer.IssuedByForeignCa => TestPki.Issue(foreign, "CN=device", DeviceKey),
            _ => ca,
        };
        var csr = Scenario.Csr("CN=device", kind == Signer.SelfSignedOtherKey ? TestPki.CachedRsa(114, 1024) : DeviceKey);
        var request = PkiMessage.Decode(PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(signer, TestPki.Ca.Certificate)).Encode());
        X509Certificate2[] cas = [ca.Certificate, previous.Certificate];

        var fromMessage = RenewalDetection.Classify(request, csr, cas);
        var fromCertificate = RenewalDetection.Classify(request.SignerCertificate!, csr.SubjectPublicKeyInfo.Span, cas);

        fromMessage.Kind.Should().Be(fromCertificate.Kind);
        fromMessage.ReusesKey.Should().Be(fromCertificate.ReusesKey);
        fromMessage.IssuingCertificate?.RawData.Should().Equal(fromCertificate.IssuingCertificate!.RawData);
        var expected = kind switch
        {
            // The CA certificate is self-signed, and a certificate is never its own issuer's renewal.
            Signer.SelfSignedSameKey or Signer.SelfSignedOtherKey or Signer.TheCaItself => EnrollmentKind.InitialEnrollment,
            Signer.IssuedByCa or Signer.IssuedByPreviousCa => EnrollmentKind.Renewal,
            _ => EnrollmentKind.UnknownSigner,
        };
        fromMessage.Kind.Should().Be(expected);
    }

    [Test]
    public void CertRepSuccess_EnvelopeToTheSignersDer_DecryptsWithTheClientsKeyAndNamesItsCertificate()
    {
        var (request, client, _) = Scenario.PkcsReq(TestPki.Ca);
        var issued = TestPki.Issue(TestPki.Ca, "CN=device-1,O=Example", client.Key);
        var reply = CertRep.CreateSuccess(PkiMessage.Decode(request.Encode()), DegenerateCertificateSet.Create([issued.Certificate]), Scenario.ReplyParameters(TestPki.Ca));

        var decoded = PkiMessage.Decode(reply.Encode());

        decoded.Envelope!.FindRecipientCertificate([client.Certificate]).Should().NotBeNull("the recipient is named by the signer's issuer and serial number");
        decoded.Decrypt(client.Certificate, (RSA)client.Key).CertificateSet!.Certificates.Single().RawData.Should().Equal(issued.Certificate.RawData);
    }

    [Test]
    public void CreateFromEncoded_SameCertificatesAndCrl_EncodesAsCreateDoesAndLoadsOnDemand()
    {
        var first = TestPki.Issue(TestPki.Ca, "CN=first").Certificate;
        byte[] crl = [0x30, 0x03, 0x02, 0x01, 0x05];

        var fromDer = DegenerateCertificateSet.CreateFromEncoded([first.RawDataMemory, TestPki.Ca.Certificate.RawDataMemory], [crl]);
        var fromLoaded = DegenerateCertificateSet.Create([first, TestPki.Ca.Certificate], [crl]);

        fromDer.RawData.ToArray().Should().Equal(fromLoaded.RawData.ToArray());
        fromDer.Certificates.Select(c => c.Thumbprint).Should().Equal(first.Thumbprint, TestPki.Ca.Certificate.Thumbprint);
        fromDer.Crls.Single().ToArray().Should().Equal(crl);
    }

    [Test]
    public void CreateFromEncoded_BytesThatAreNoCertificate_FailOnlyWhenThatCertificateIsRead()
    {
        var set = DegenerateCertificateSet.CreateFromEncoded([new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }]);

        set.RawData.IsEmpty.Should().BeFalse();
        set.Certificates.Count.Should().Be(1, "counting does not load");
        FluentActions.Invoking(() => set.Certificates[0]).Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void Decode_CertificatesAreStructurallyCheckedAtOnceAndLoadedWhenRead()
    {
        var issued = TestPki.Issue(TestPki.Ca, "CN=first").Certificate;
        var encoded = DegenerateCertificateSet.Create([issued, TestPki.Ca.Certificate]).RawData;

        var decoded = DegenerateCertificateSet.Decode(encoded);

        decoded.Certificates.Should().HaveCount(2);
        decoded.Certificates[0].Thumbprint.Should().Be(issued.Thumbprint);
        decoded.Certificates.Select(c => c.Thumbprint).Should().Equal(issued.Thumbprint, TestPki.Ca.Certificate.Thumbprint);
        FluentActions.Invoking(() => DegenerateCertificateSet.Decode(DegenerateCertificateSet.CreateFromEncoded([new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }]).RawData))
            .Should().Throw<ScepException>("a certificate whose structure cannot be read fails the decoding").Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void PublicKeyCache_ManyKeysOnManyThreads_EveryVerificationUsesTheRightKey()
    {
        // More keys than the cache holds, used from many threads at once: entries are evicted while other threads
        // may hold them, and a key is never disposed under its user.
        var keys = Enumerable.Range(0, 80).Select(i => TestPki.CachedRsa(120 + i, 1024)).ToArray();
        var spkis = keys.Select(k => k.ExportSubjectPublicKeyInfo()).ToArray();
        var data = new byte[] { 1, 2, 3 };
        var signatures = keys.Select(k => k.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToArray();
        var results = new bool[4000];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var signer = (i * 7) % keys.Length;
            var claimed = i % 10 == 0 ? (signer + 1) % keys.Length : signer;
            var key = (RSA)PublicKeyCache.Get(spkis[claimed])!;
            var verifies = key.VerifyData(data, signatures[signer], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            results[i] = verifies == (claimed == signer);
        });

        results.Should().AllSatisfy(r => r.Should().BeTrue());
    }
}
