using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// openssl 3 as an independent CMS implementation: it verifies and decrypts the pkiMessages the codecs
/// build, and the codecs read the CMS openssl builds. Single DES needs OpenSSL's legacy provider, enabled
/// through an OPENSSL_CONF file the fixture writes itself.
/// </summary>
public class OpenSslCmsTests
{
    private static readonly ContentEncryptionAlgorithm[] Ciphers =
        [ContentEncryptionAlgorithm.Aes128Cbc, ContentEncryptionAlgorithm.Aes256Cbc, ContentEncryptionAlgorithm.TripleDesCbc, ContentEncryptionAlgorithm.DesCbc];

    private static readonly HashAlgorithmName[] Digests = [HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA512];

    private TempDirectory _directory = null!;
    private TestCredential _ca = null!;
    private string _caPem = null!;
    private string _caKeyPem = null!;
    private string _legacyConfig = null!;

    public static IEnumerable<TestCaseData> CiphersAndDigests() =>
        from cipher in Ciphers
        from digest in Digests
        select new TestCaseData(cipher, digest).SetArgDisplayNames(cipher.ToString(), digest.Name!);

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        OpenSsl.Require();
        _directory = new TempDirectory("openssl-cms-");
        _ca = TestPki.Ca;
        _caPem = WriteText("ca.pem", _ca.Certificate.ExportCertificatePem());
        _caKeyPem = WriteText("ca-key.pem", _ca.Rsa.ExportPkcs8PrivateKeyPem());
        _legacyConfig = OpenSsl.WriteLegacyConfig(_directory);
    }

    [OneTimeTearDown]
    public void OneTimeTearDown() => _directory?.Dispose();

    [TestCaseSource(nameof(CiphersAndDigests))]
    public async Task PkcsReq_BuiltByCodec_OpenSslVerifiesItAndDecryptsTheCsr(ContentEncryptionAlgorithm cipher, HashAlgorithmName digest)
    {
        var (request, _, csr) = Scenario.PkcsReq(_ca, cipher, digest);
        var name = $"req-{cipher}-{digest.Name}";
        var requestPath = WriteBytes(name + ".der", request.Encode());

        await OpenSsl.RunCheckedAsync(["cms", "-verify", "-inform", "DER", "-in", requestPath, "-noverify", "-purpose", "any", "-binary", "-out", Path(name + ".envelope")]);
        var envelope = await File.ReadAllBytesAsync(Path(name + ".envelope"));
        envelope.Should().Equal(request.Content.ToArray(), "openssl hands out the signed pkcsPKIEnvelope unchanged");

        await OpenSsl.RunCheckedAsync(
            ["cms", "-decrypt", "-inform", "DER", "-in", Path(name + ".envelope"), "-recip", _caPem, "-inkey", _caKeyPem, "-binary", "-out", Path(name + ".csr")],
            LegacyConfigFor(cipher));
        (await File.ReadAllBytesAsync(Path(name + ".csr"))).Should().Equal(csr.RawData.ToArray(), "the messageData openssl decrypts is our PKCS#10");
    }

    [TestCaseSource(nameof(CiphersAndDigests))]
    public async Task CertRepSuccess_BuiltByCodec_OpenSslVerifiesItAgainstTheCaAndDecryptsTheCertificates(ContentEncryptionAlgorithm cipher, HashAlgorithmName digest)
    {
        var (request, client, _) = Scenario.PkcsReq(_ca, cipher, digest);
        var issued = TestPki.Issue(_ca, "CN=device-1,O=Example", client.Key);
        var certificates = DegenerateCertificateSet.Create([issued.Certificate, _ca.Certificate]);
        var reply = CertRep.CreateSuccess(request, certificates, Scenario.ReplyParameters(_ca));
        reply.DigestAlgorithm.Should().Be(digest);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(cipher);
        var name = $"rep-{cipher}-{digest.Name}";
        var replyPath = WriteBytes(name + ".der", reply.Encode());
        var clientPem = WriteText(name + "-client.pem", client.Certificate.ExportCertificatePem());
        var clientKeyPem = WriteText(name + "-client-key.pem", client.Rsa.ExportPkcs8PrivateKeyPem());

        await OpenSsl.RunCheckedAsync(["cms", "-verify", "-inform", "DER", "-in", replyPath, "-CAfile", _caPem, "-purpose", "any", "-binary", "-out", Path(name + ".envelope")]);
        (await File.ReadAllBytesAsync(Path(name + ".envelope"))).Should().Equal(reply.Content.ToArray());

        await OpenSsl.RunCheckedAsync(
            ["cms", "-decrypt", "-inform", "DER", "-in", Path(name + ".envelope"), "-recip", clientPem, "-inkey", clientKeyPem, "-binary", "-out", Path(name + ".p7b")],
            LegacyConfigFor(cipher));
        (await File.ReadAllBytesAsync(Path(name + ".p7b"))).Should().Equal(certificates.RawData.ToArray());
    }

    [TestCase(PkiStatus.Failure)]
    [TestCase(PkiStatus.Pending)]
    public async Task CertRepWithoutEnvelope_BuiltByCodec_OpenSslVerifiesItWithoutDetachedContent(PkiStatus status)
    {
        var (request, _, _) = Scenario.PkcsReq(_ca);
        var reply = status == PkiStatus.Failure
            ? CertRep.CreateFailure(request, FailInfo.BadRequest, "no", Scenario.ReplyParameters(_ca))
            : CertRep.CreatePending(request, Scenario.ReplyParameters(_ca));
        reply.Content.IsEmpty.Should().BeTrue();
        var replyPath = WriteBytes($"{status}.der", reply.Encode());

        // No -content: an absent eContent would make openssl (and certmonger, which uses PKCS7_verify) fail with "no content".
        var result = await OpenSsl.RunCheckedAsync(["cms", "-verify", "-inform", "DER", "-in", replyPath, "-CAfile", _caPem, "-purpose", "any", "-binary", "-out", Path($"{status}.out")]);

        result.Error.Should().Contain("Verification successful");
        new FileInfo(Path($"{status}.out")).Length.Should().Be(0, "the reply carries no pkcsPKIEnvelope");
    }

    [Test]
    public async Task DegenerateCertificateSet_BuiltByCodec_OpenSslListsTheCertificatesInOurOrder()
    {
        var issued = TestPki.Issue(_ca, "CN=leaf-first", TestPki.CachedRsa(2));
        var set = DegenerateCertificateSet.Create([issued.Certificate, _ca.Certificate]);
        var path = WriteBytes("set.p7b", set.Encode());

        var result = await OpenSsl.RunCheckedAsync(["pkcs7", "-inform", "DER", "-in", path, "-print_certs", "-noout"]);

        var subjects = result.Output.Split('\n').Where(l => l.StartsWith("subject=", StringComparison.Ordinal)).ToList();
        subjects.Should().HaveCount(2);
        subjects[0].Should().Contain("leaf-first", "the issued certificate stays first (clients take element 0)");
        subjects[1].Should().Contain("Scep Test CA");
    }

    [TestCase("-aes128", ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase("-aes192", ContentEncryptionAlgorithm.Aes192Cbc)]
    [TestCase("-aes256", ContentEncryptionAlgorithm.Aes256Cbc)]
    [TestCase("-des3", ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase("-des", ContentEncryptionAlgorithm.DesCbc)]
    public async Task EnvelopeFromOpenSsl_DecodesAndDecryptsWithTheCaKey(string cipherOption, ContentEncryptionAlgorithm expected)
    {
        var data = Scenario.Csr("CN=from-openssl", TestPki.CachedRsa(3)).Encode();
        var name = "enc" + cipherOption;
        var dataPath = WriteBytes(name + ".in", data);

        await OpenSsl.RunCheckedAsync(
            ["cms", "-encrypt", "-binary", "-outform", "DER", "-in", dataPath, "-out", Path(name + ".der"), cipherOption, _caPem],
            LegacyConfigFor(expected));

        var envelope = PkiEnvelope.Decode(await File.ReadAllBytesAsync(Path(name + ".der")));
        envelope.ContentEncryptionAlgorithm.Should().Be(expected);
        envelope.Recipients.Should().ContainSingle().Which.Type.Should().Be(RecipientInfoType.KeyTransport);
        envelope.FindRecipientCertificate([_ca.Certificate]).Should().NotBeNull();
        envelope.Decrypt(_ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Legacy).Should().Equal(data);
        if (expected == ContentEncryptionAlgorithm.DesCbc)
        {
            FluentActions.Invoking(() => envelope.Decrypt(_ca.Certificate, _ca.Rsa))
                .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed, "single DES needs ScepAlgorithmPolicy.Legacy");
        }
    }

    [Test]
    public async Task EnvelopeFromOpenSsl_WithSubjectKeyIdentifierRecipient_DecryptsWithTheCaKey()
    {
        var data = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x07 };
        var dataPath = WriteBytes("keyid.in", data);

        await OpenSsl.RunCheckedAsync(["cms", "-encrypt", "-binary", "-outform", "DER", "-keyid", "-in", dataPath, "-out", Path("keyid.der"), "-aes128", _caPem]);

        var envelope = PkiEnvelope.Decode(await File.ReadAllBytesAsync(Path("keyid.der")));
        var recipient = envelope.Recipients.Should().ContainSingle().Subject;
        recipient.IssuerAndSerialNumber.Should().BeNull();
        recipient.SubjectKeyIdentifier.IsEmpty.Should().BeFalse();
        envelope.Decrypt(_ca.Certificate, _ca.Rsa).Should().Equal(data);
    }

    [TestCase("sha1", KeyTransportAlgorithm.RsaOaepSha1)]
    [TestCase("sha256", KeyTransportAlgorithm.RsaOaepSha256)]
    public async Task EnvelopeFromOpenSsl_WithRsaOaepKeyTransport_DecryptsWithTheCaKey(string oaepDigest, KeyTransportAlgorithm expected)
    {
        var data = Scenario.Csr("CN=oaep", TestPki.CachedRsa(3)).Encode();
        var name = "oaep-" + oaepDigest;
        var dataPath = WriteBytes(name + ".in", data);

        await OpenSsl.RunCheckedAsync(
        [
            "cms", "-encrypt", "-binary", "-outform", "DER", "-in", dataPath, "-out", Path(name + ".der"), "-aes128", "-recip", _caPem,
            "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:" + oaepDigest, "-keyopt", "rsa_mgf1_md:" + oaepDigest,
        ]);

        var envelope = PkiEnvelope.Decode(await File.ReadAllBytesAsync(Path(name + ".der")));
        envelope.Recipients.Should().ContainSingle().Which.KeyEncryptionAlgorithmOid.Should().Be("1.2.840.113549.1.1.7");
        envelope.Decrypt(_ca.Certificate, _ca.Rsa).Should().Equal(data);
        envelope.Decrypt(_ca.Certificate, _ca.Rsa, ScepAlgorithmPolicy.Default.WithKeyTransportAlgorithms([expected])).Should().Equal(data, $"the OAEP parameters name {expected}");
    }

    [Test]
    public async Task CertificatesOnlyFromOpenSslCrl2Pkcs7_DecodeAsGetCaCertReplyWithTheRaChosenForEncryption()
    {
        var ra = TestPki.CreateRa(_ca, "CN=Scep Test RA", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(4));
        var chainPath = WriteText("chain.pem", ra.Certificate.ExportCertificatePem() + "\n" + _ca.Certificate.ExportCertificatePem());

        await OpenSsl.RunCheckedAsync(["crl2pkcs7", "-nocrl", "-certfile", chainPath, "-outform", "DER", "-out", Path("chain.p7b")]);

        var bytes = await File.ReadAllBytesAsync(Path("chain.p7b"));
        var set = DegenerateCertificateSet.Decode(bytes);
        set.Certificates.Select(c => c.Thumbprint).Should().Equal(ra.Certificate.Thumbprint, _ca.Certificate.Thumbprint);
        set.Crls.Should().BeEmpty();
        var caCertificates = CaCertificates.Decode(bytes);
        caCertificates.ContentType.Should().Be(ScepContentTypes.CaRaCertificates);
        caCertificates.IssuerCertificate.Thumbprint.Should().Be(_ca.Certificate.Thumbprint);
        caCertificates.EncryptionCertificate.Thumbprint.Should().Be(ra.Certificate.Thumbprint);
        caCertificates.SigningCertificate.Thumbprint.Should().Be(ra.Certificate.Thumbprint);
    }

    [Test]
    public async Task SignedDataFromOpenSslWithoutScepAttributes_IsRefusedAsMissingAttribute()
    {
        var (request, _, _) = Scenario.PkcsReq(_ca);
        var contentPath = WriteBytes("plain.in", request.Content.ToArray());

        await OpenSsl.RunCheckedAsync(
            ["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256", "-signer", _caPem, "-inkey", _caKeyPem, "-in", contentPath, "-out", Path("plain.der")]);

        var bytes = await File.ReadAllBytesAsync(Path("plain.der"));
        FluentActions.Invoking(() => PkiMessage.Decode(bytes))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.MissingAttribute, "openssl signs contentType, messageDigest and signingTime but no SCEP attribute");
    }

    private string? LegacyConfigFor(ContentEncryptionAlgorithm cipher) => cipher == ContentEncryptionAlgorithm.DesCbc ? _legacyConfig : null;

    private string Path(string name) => _directory.File(name);

    private string WriteBytes(string name, byte[] bytes)
    {
        File.WriteAllBytes(Path(name), bytes);
        return Path(name);
    }

    private string WriteText(string name, string text)
    {
        File.WriteAllText(Path(name), text);
        return Path(name);
    }
}
