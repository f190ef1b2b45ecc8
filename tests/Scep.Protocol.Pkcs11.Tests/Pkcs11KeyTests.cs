using System;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;

namespace Scep.Protocol.Pkcs11.Tests;

/// <summary>
/// Keys in a SoftHSM2 token behave as .NET keys: what the token signs, .NET verifies with the public key; what .NET
/// encrypts, the token decrypts; a CA over a token key issues certificates and CRLs that verify; 32 callers at once share
/// the session pool.
/// </summary>
[NonParallelizable]
public class Pkcs11KeyTests
{
    private const string Label = "keys";
    private Pkcs11Token _token = null!;
    private Pkcs11RsaKey _rsa = null!;
    private Pkcs11EcdsaKey _p256 = null!;
    private Pkcs11EcdsaKey _p384 = null!;
    private string _pinFile = null!;

    [OneTimeSetUp]
    public async Task CreateToken()
    {
        (_pinFile, _) = await SoftHsm.CreateTokenAsync(Label, "1111-keys");
        _token = Pkcs11Token.Open(SoftHsm.Uri(Label, _pinFile));
        _rsa = _token.GenerateRsaKey("rsa-ca", 2048);
        _p256 = _token.GenerateEcdsaKey("p256-ca", ECCurve.NamedCurves.nistP256);
        _p384 = _token.GenerateEcdsaKey("p384-ca", ECCurve.NamedCurves.nistP384);
    }

    [OneTimeTearDown]
    public void CloseToken()
    {
        _rsa?.Dispose();
        _p256?.Dispose();
        _p384?.Dispose();
        _token?.Dispose();
    }

    [TestCase("SHA256")]
    [TestCase("SHA384")]
    [TestCase("SHA512")]
    [TestCase("SHA1")]
    public void RsaPkcs1Signature_VerifiesWithTheExportedPublicKey(string hash)
    {
        var name = new HashAlgorithmName(hash);
        var data = RandomNumberGenerator.GetBytes(100);

        var signature = _rsa.SignData(data, name, RSASignaturePadding.Pkcs1);

        using var verifier = RSA.Create(_rsa.ExportParameters(false));
        verifier.VerifyData(data, signature, name, RSASignaturePadding.Pkcs1).Should().BeTrue();
        verifier.VerifyData((byte[])[.. data, 1], signature, name, RSASignaturePadding.Pkcs1).Should().BeFalse();
    }

    [TestCase("SHA256")]
    [TestCase("SHA384")]
    public void RsaPssSignature_VerifiesWithTheExportedPublicKey(string hash)
    {
        var name = new HashAlgorithmName(hash);
        var data = RandomNumberGenerator.GetBytes(64);

        var signature = _rsa.SignData(data, name, RSASignaturePadding.Pss);

        using var verifier = RSA.Create(_rsa.ExportParameters(false));
        verifier.VerifyData(data, signature, name, RSASignaturePadding.Pss).Should().BeTrue();
    }

    [TestCase("Pkcs1")]
    [TestCase("OaepSHA1")]
    public void RsaDecryption_ReturnsWhatDotNetEncrypted(string paddingName)
    {
        var padding = paddingName == "Pkcs1" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.OaepSHA1;
        var secret = RandomNumberGenerator.GetBytes(32);
        using var encryptor = RSA.Create(_rsa.ExportParameters(false));

        var decrypted = _rsa.Decrypt(encryptor.Encrypt(secret, padding), padding);

        decrypted.Should().Equal(secret);
    }

    /// <summary>
    /// SoftHSM 2.6 implements OAEP with SHA-1 only and refuses other hashes with CKR_ARGUMENTS_BAD: the key passes the
    /// token's answer on as an OperationFailed (a CryptographicException). A token that has OAEP-SHA-256 decrypts it
    /// (the mechanism parameters are built for it); SCEP clients use OAEP with SHA-1 (Windows) or PKCS#1 v1.5.
    /// </summary>
    [Test]
    public void RsaDecryption_OaepSha256OnSoftHsm_IsTheTokensRefusalAsOperationFailed()
    {
        using var encryptor = RSA.Create(_rsa.ExportParameters(false));
        var encrypted = encryptor.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256);

        var act = () => _rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA256);

        act.Should().Throw<Pkcs11KeyException>().Where(e => e.Failure == Pkcs11Failure.OperationFailed && e.ReturnValue == "CKR_ARGUMENTS_BAD");
    }

    [Test]
    public void RsaDecryption_OfGarbage_IsACryptographicException()
    {
        var act = () => _rsa.Decrypt(new byte[256], RSAEncryptionPadding.Pkcs1);

        act.Should().Throw<CryptographicException>();
    }

    [Test]
    public void ExportParameters_WithThePrivateKey_IsRefused()
    {
        var act = () => _rsa.ExportParameters(true);

        act.Should().Throw<CryptographicException>().WithMessage("*cannot be exported*");
        _rsa.KeySize.Should().Be(2048);
    }

    [TestCase(256, DSASignatureFormat.Rfc3279DerSequence)]
    [TestCase(256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)]
    [TestCase(384, DSASignatureFormat.Rfc3279DerSequence)]
    [TestCase(384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)]
    public void EcdsaSignature_VerifiesWithTheExportedPublicKey(int bits, DSASignatureFormat format)
    {
        var key = bits == 256 ? _p256 : _p384;
        var hash = bits == 256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
        var data = RandomNumberGenerator.GetBytes(80);

        var signature = key.SignData(data, hash, format);

        key.KeySize.Should().Be(bits);
        using var verifier = ECDsa.Create(key.ExportParameters(false));
        verifier.VerifyData(data, signature, hash, format).Should().BeTrue();
    }

    [TestCase("rsa")]
    [TestCase("p256")]
    [TestCase("p384")]
    public void CaOverATokenKey_IssuesACertificateAndACrlThatVerify(string which)
    {
        AsymmetricAlgorithm key = which switch { "rsa" => _rsa, "p256" => _p256, _ => _p384 };
        var generator = key is RSA rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1) : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
        var caName = new X500DistinguishedName($"CN=Token CA {which}");
        var caRequest = key is RSA r ? new CertificateRequest(caName, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) : new CertificateRequest(caName, (ECDsa)key, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.Create(caName, generator, now.AddMinutes(-5), now.AddYears(1), [1, 2, 3]);
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=leaf", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        using var leaf = leafRequest.Create(caName, generator, now.AddMinutes(-1), now.AddDays(30), [4, 5, 6]);
        var crlBuilder = new CertificateRevocationListBuilder();
        crlBuilder.AddEntry(leaf);
        var crl = crlBuilder.Build(caName, generator, BigInteger.One, now.AddDays(1), HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false)), now);

        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck } };
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.Build(leaf).Should().BeTrue(string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        CrlSignatureVerifies(crl, ca).Should().BeTrue();
    }

    [Test]
    public async Task ThirtyTwoCallersAtOnce_ShareThePoolAndEverySignatureAndDecryptionIsRight()
    {
        using var encryptor = RSA.Create(_rsa.ExportParameters(false));
        using var verifier = RSA.Create(_rsa.ExportParameters(false));
        using var ecVerifier = ECDsa.Create(_p256.ExportParameters(false));
        using var start = new System.Threading.Barrier(32);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
        {
            var data = RandomNumberGenerator.GetBytes(48);
            start.SignalAndWait();
            var rsaSignature = _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var ecSignature = _p256.SignData(data, HashAlgorithmName.SHA256);
            var decrypted = _rsa.Decrypt(encryptor.Encrypt(data, RSAEncryptionPadding.Pkcs1), RSAEncryptionPadding.Pkcs1);
            return verifier.VerifyData(data, rsaSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                && ecVerifier.VerifyData(data, ecSignature, HashAlgorithmName.SHA256)
                && decrypted.AsSpan().SequenceEqual(data);
        })));

        results.Should().AllSatisfy(ok => ok.Should().BeTrue());
    }

    [Test]
    public void GetKey_ByLabel_FindsTheGeneratedKeyWithTheSamePublicKey()
    {
        using var again = (RSA)_token.GetKey(SoftHsm.Uri(Label, _pinFile, "rsa-ca"));

        again.ExportParameters(false).Modulus.Should().Equal(_rsa.ExportParameters(false).Modulus);
        again.Should().BeOfType<Pkcs11RsaKey>();
    }

    [Test]
    public void GenerateRsaKey_WithALabelInUse_IsRefused()
    {
        var act = () => _token.GenerateRsaKey("rsa-ca", 2048);

        act.Should().Throw<Pkcs11KeyException>().Which.Failure.Should().Be(Pkcs11Failure.AmbiguousKey);
    }

    [Test]
    public void StoreCertificate_ThenFindCertificate_ReturnsTheSameCertificate()
    {
        var name = new X500DistinguishedName("CN=Stored CA");
        var request = new CertificateRequest(name, _p256, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(name, X509SignatureGenerator.CreateForECDsa(_p256), now, now.AddYears(1), [9]);

        _token.StoreCertificate("p256-ca", certificate);
        using var found = _token.FindCertificate(SoftHsm.Uri(Label, _pinFile, "p256-ca"));

        found!.RawData.Should().Equal(certificate.RawData);
        _token.FindCertificate(SoftHsm.Uri(Label, _pinFile, "no-such-certificate")).Should().BeNull();
    }

    [Test]
    public void GetKey_Missing_IsKeyNotFoundNamingTheObject()
    {
        var act = () => _token.GetKey(SoftHsm.Uri(Label, _pinFile, "no-such-key"));

        act.Should().Throw<Pkcs11KeyException>().Where(e => e.Failure == Pkcs11Failure.KeyNotFound && e.Message.Contains("no-such-key"));
    }

    private static bool CrlSignatureVerifies(byte[] crl, X509Certificate2 issuer)
    {
        var reader = new System.Formats.Asn1.AsnReader(crl, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadEncodedValue();
        reader.ReadSequence();
        var signature = reader.ReadBitString(out _);
        using var rsa = issuer.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        using var ecdsa = issuer.GetECDsaPublicKey()!;
        return ecdsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
