using System;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Scep.Protocol;

namespace Scep.Benchmarks;

/// <summary>
/// The codec's cost beside the RSA-2048 private-key operations it cannot avoid: a server decodes, verifies and
/// decrypts a PKCSReq (one private-key decryption of the content key) and builds a SUCCESS CertRep (one
/// private-key signature). docs/performance.md reports codec / raw ratios from one run of this class.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private RSA _caKey = null!;
    private X509Certificate2 _caCertificate = null!;
    private byte[] _pkcsReq = null!;
    private PkiMessage _decodedRequest = null!;
    private DegenerateCertificateSet _issued = null!;
    private byte[] _encryptedKey = null!;
    private byte[] _hashToSign = null!;
    private CertRepParameters _replyParameters = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        _caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Bench CA", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        _caCertificate = caRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(10));

        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest("CN=bench-device", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var signer = clientRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=bench-device")) { ChallengePassword = "secret" }.Build(clientKey, HashAlgorithmName.SHA256);
        var request = PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = X509CertificateLoader.LoadCertificate(signer.RawData),
            SignerKey = clientKey,
            RecipientCertificate = _caCertificate,
            SigningTime = now,
        });
        _pkcsReq = request.Encode();
        _decodedRequest = PkiMessage.Decode(_pkcsReq);
        _encryptedKey = ReadEncryptedKey(_decodedRequest.Envelope!.RawData);

        var issued = new CertificateRequest("CN=bench-device", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Create(_caCertificate, now, now.AddYears(1), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        _issued = DegenerateCertificateSet.Create([X509CertificateLoader.LoadCertificate(issued.RawData), _caCertificate]);
        _hashToSign = SHA256.HashData("signed attributes"u8);
        _replyParameters = new CertRepParameters { SignerCertificate = _caCertificate, SignerKey = _caKey, SigningTime = now };
    }

    /// <summary>Server side of a PKCSReq: decode, verify the signature, decrypt the envelope and parse the CSR.</summary>
    [Benchmark]
    public Pkcs10Request DecodeVerifyDecrypt()
    {
        var message = PkiMessage.Decode(_pkcsReq);
        message.VerifySignature();
        return message.Decrypt(_caCertificate, _caKey).CertificationRequest!;
    }

    /// <summary>The one private-key operation inside <see cref="DecodeVerifyDecrypt"/>.</summary>
    [Benchmark]
    public byte[] RawRsaDecrypt() => _caKey.Decrypt(_encryptedKey, RSAEncryptionPadding.Pkcs1);

    /// <summary>Server side of the reply: sign and envelope a SUCCESS CertRep and encode it.</summary>
    [Benchmark]
    public byte[] BuildCertRepSuccess() => CertRep.CreateSuccess(_decodedRequest, _issued, _replyParameters).Encode();

    /// <summary>The one private-key operation inside <see cref="BuildCertRepSuccess"/>.</summary>
    [Benchmark]
    public byte[] RawRsaSign() => _caKey.SignHash(_hashToSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private static byte[] ReadEncryptedKey(ReadOnlyMemory<byte> envelope)
    {
        // ContentInfo { OID, [0] { EnvelopedData { version, SET { KTRI { version, rid, alg, encryptedKey } } ... } } }
        var contentInfo = new AsnReader(envelope, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var enveloped = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        enveloped.ReadInteger();
        var ktri = enveloped.ReadSetOf().ReadSequence();
        ktri.ReadInteger();
        ktri.ReadEncodedValue();
        ktri.ReadEncodedValue();
        return ktri.ReadOctetString();
    }
}
