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
/// private-key signature). Every operation uses the next of <see cref="Clients"/> requests from different client
/// keys, so no public key is ever found in the codec's per-thread key cache from the previous operation: each
/// request pays for importing its client's key, as on a real server. docs/performance.md reports the
/// codec / raw ratios from one run of this class.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    // More clients than PublicKeyCache holds (64): every operation imports its client's key, as on a real
    // server, where each enrollment brings a key never seen before.
    private const int Clients = 160;

    private RSA _caKey = null!;
    private X509Certificate2 _caCertificate = null!;
    private byte[][] _requests = null!;
    private PkiMessage[] _decoded = null!;
    private DegenerateCertificateSet[] _issued = null!;
    private byte[] _encryptedKey = null!;
    private byte[] _hashToSign = null!;
    private CertRepParameters _replyParameters = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        _caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Bench CA", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        _caCertificate = caRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(10));
        var caPublic = X509CertificateLoader.LoadCertificate(_caCertificate.RawData);

        _requests = new byte[Clients][];
        _decoded = new PkiMessage[Clients];
        _issued = new DegenerateCertificateSet[Clients];
        for (var i = 0; i < Clients; i++)
        {
            using var clientKey = RSA.Create(2048);
            var subject = $"CN=bench-device-{i}";
            var signer = new CertificateRequest(subject, clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
            var csr = new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = "secret" }.Build(clientKey, HashAlgorithmName.SHA256);
            var request = PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
            {
                TransactionId = ScepTransactionId.CreateRandom(),
                SignerCertificate = X509CertificateLoader.LoadCertificate(signer.RawData),
                SignerKey = clientKey,
                RecipientCertificate = caPublic,
                SigningTime = now,
            });
            _requests[i] = request.Encode();
            _decoded[i] = PkiMessage.Decode(_requests[i]);
            var issued = new CertificateRequest(subject, clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .Create(_caCertificate, now, now.AddYears(1), BitConverter.GetBytes(1000L + i));
            _issued[i] = DegenerateCertificateSet.Create([X509CertificateLoader.LoadCertificate(issued.RawData), caPublic]);
        }

        _encryptedKey = ReadEncryptedKey(_decoded[0].Envelope!.RawData);
        _hashToSign = SHA256.HashData("signed attributes"u8);
        _replyParameters = new CertRepParameters { SignerCertificate = caPublic, SignerKey = _caKey, SigningTime = now };
    }

    /// <summary>Server side of a PKCSReq, as the pipeline does it: decode, verify the signature with the carried signer's DER (no certificate load), decrypt the envelope and parse the CSR.</summary>
    [Benchmark]
    public Pkcs10Request DecodeVerifyDecrypt()
    {
        var message = PkiMessage.Decode(_requests[Next()]);
        message.EnsureSignatureValid();
        return message.Decrypt(_caCertificate, _caKey).CertificationRequest!;
    }

    /// <summary>The one private-key operation inside <see cref="DecodeVerifyDecrypt"/>.</summary>
    [Benchmark]
    public byte[] RawRsaDecrypt() => _caKey.Decrypt(_encryptedKey, RSAEncryptionPadding.Pkcs1);

    /// <summary>Server side of the reply: envelope to the client's key (imported), sign and encode a SUCCESS CertRep.</summary>
    [Benchmark]
    public byte[] BuildCertRepSuccess()
    {
        var i = Next();
        return CertRep.CreateSuccess(_decoded[i], _issued[i], _replyParameters).Encode();
    }

    /// <summary>The one private-key operation inside <see cref="BuildCertRepSuccess"/>.</summary>
    [Benchmark]
    public byte[] RawRsaSign() => _caKey.SignHash(_hashToSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>Everything a server's codec does for one enrollment: decode, verify, decrypt, proof of possession, SUCCESS reply. Raw work: one decryption and one signature.</summary>
    [Benchmark]
    public byte[] ServerEnrollmentCodecPath()
    {
        var i = Next();
        var message = PkiMessage.Decode(_requests[i]);
        message.EnsureSignatureValid();
        var csr = message.Decrypt(_caCertificate, _caKey).CertificationRequest!;
        csr.VerifyProofOfPossession();
        return CertRep.CreateSuccess(message, _issued[i], _replyParameters).Encode();
    }

    private int Next()
    {
        _next = (_next + 1) % Clients;
        return _next;
    }

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
