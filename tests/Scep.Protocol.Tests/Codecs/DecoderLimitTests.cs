using System;
using System.Formats.Asn1;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// Every bound the decoders put on untrusted input (Internal/Limits.cs; docs/security.md), each tested at the bound
/// (accepted) and one step over it (a <see cref="ScepException"/> a server turns into HTTP 400 or a FAILURE).
/// </summary>
public class DecoderLimitTests
{
    private PkiMessage _request = null!;
    private TestCredential _client = null!;
    private Pkcs10Request _csr = null!;

    [OneTimeSetUp]
    public void CreateMessages() => (_request, _client, _csr) = Scenario.PkcsReq(TestPki.Ca);

    private byte[] Request(Action<SignedMessage> edit, bool resign = true) => MessageSurgery.Edit(_request, m =>
    {
        edit(m);
        if (resign)
        {
            m.Resign(_client.Key);
        }
    });

    private static ScepException Fails(Action action) => FluentActions.Invoking(action).Should().Throw<ScepException>().Which;

    private static AsnNode Printable(string value) => AsnNode.String(UniversalTagNumber.PrintableString, value);

    [TestCase(Limits.MaxCertificates, false)]
    [TestCase(Limits.MaxCertificates + 1, true)]
    public void Decode_CertificatesInSignedData_AreBounded(int count, bool overTheLimit)
    {
        var encoded = Request(m =>
        {
            var signer = m.Certificates!.Children[0];
            m.Certificates.Children.Clear();
            m.Certificates.Children.AddRange(Enumerable.Range(0, count).Select(_ => signer.Clone()));
        }, resign: false);

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            PkiMessage.Decode(encoded).Certificates.Should().HaveCount(count);
        }
    }

    [Test]
    public void Decode_OtherCertificateChoicesBeyondTheBound_AreLimitExceeded()
    {
        // Attribute certificates ([1], [2]) are skipped, not kept: they count all the same.
        var attributeCertificate = AsnNode.Constructed(new Asn1Tag(TagClass.ContextSpecific, 2, true), AsnNode.Integer(1));
        var encoded = Request(m => m.Certificates!.Children.AddRange(Enumerable.Range(0, Limits.MaxCertificates).Select(_ => attributeCertificate.Clone())), resign: false);

        Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
    }

    [TestCase(Limits.MaxCrls, false)]
    [TestCase(Limits.MaxCrls + 1, true)]
    public void DegenerateDecode_Crls_AreBounded(int count, bool overTheLimit)
    {
        var ca = TestPki.Ca;
        var crl = new CertificateRevocationListBuilder().Build(
            ca.Certificate.SubjectName,
            X509SignatureGenerator.CreateForRSA(ca.Rsa, RSASignaturePadding.Pkcs1),
            BigInteger.One,
            Scenario.Now.AddDays(1),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            Scenario.Now);
        var encoded = DegenerateCertificateSet.Create([TestPki.Ca.Certificate], Enumerable.Range(0, count).Select(_ => (ReadOnlyMemory<byte>)crl)).Encode();

        if (overTheLimit)
        {
            Fails(() => DegenerateCertificateSet.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            DegenerateCertificateSet.Decode(encoded).Crls.Should().HaveCount(count);
        }
    }

    [TestCase(Limits.MaxSignedAttributes, false)]
    [TestCase(Limits.MaxSignedAttributes + 1, true)]
    public void Decode_SignedAttributes_AreBounded(int count, bool overTheLimit)
    {
        var encoded = Request(m =>
        {
            var vendor = 0;
            while (m.SignedAttributes.Children.Count < count)
            {
                m.AddAttribute($"1.3.6.1.4.1.99999.{++vendor}", Printable("x"));
            }
        });

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            var message = PkiMessage.Decode(encoded);
            message.VerifySignature();
            message.OtherSignedAttributes.Should().NotBeEmpty();
        }
    }

    [TestCase(Limits.MaxAttributeValues, false)]
    [TestCase(Limits.MaxAttributeValues + 1, true)]
    public void Decode_ValuesOfOneAttribute_AreBounded(int count, bool overTheLimit)
    {
        var encoded = Request(m => m.AddAttribute("1.3.6.1.4.1.99999.1", Enumerable.Range(0, count).Select(i => Printable("v" + i)).ToArray()));

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            PkiMessage.Decode(encoded).OtherSignedAttributes.Should().ContainKey("1.3.6.1.4.1.99999.1");
        }
    }

    [TestCase(Limits.MaxSignersOrRecipients, ScepError.NotPkiMessage)]
    [TestCase(Limits.MaxSignersOrRecipients + 1, ScepError.LimitExceeded)]
    public void Decode_Signers_AreBounded(int count, ScepError expected)
    {
        var encoded = Request(m =>
        {
            var signer = m.Signer;
            m.SignerInfos.Children.Clear();
            m.SignerInfos.Children.AddRange(Enumerable.Range(0, count).Select(_ => signer.Clone()));
        }, resign: false);

        // Within the bound, more than one signer is a structural error; over it, the count is refused before reading them.
        Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(expected);
    }

    [TestCase(Limits.MaxSignersOrRecipients, false)]
    [TestCase(Limits.MaxSignersOrRecipients + 1, true)]
    public void Decode_DigestAlgorithms_AreBounded(int count, bool overTheLimit)
    {
        var encoded = Request(m =>
        {
            var digest = m.DigestAlgorithms[0];
            m.DigestAlgorithms.Children.Clear();
            m.DigestAlgorithms.Children.AddRange(Enumerable.Range(0, count).Select(_ => digest.Clone()));
        }, resign: false);

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            PkiMessage.Decode(encoded).MessageType.Should().Be(MessageType.PKCSReq);
        }
    }

    [TestCase(Limits.MaxSignersOrRecipients, false)]
    [TestCase(Limits.MaxSignersOrRecipients + 1, true)]
    public void EnvelopeDecode_Recipients_AreBounded(int count, bool overTheLimit)
    {
        var encoded = MessageSurgery.EditEnvelope(_request.Envelope!.RawData, e =>
        {
            var recipient = e.Recipient;
            e.RecipientInfos.Children.Clear();
            e.RecipientInfos.Children.AddRange(Enumerable.Range(0, count).Select(_ => recipient.Clone()));
        });

        if (overTheLimit)
        {
            Fails(() => PkiEnvelope.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            PkiEnvelope.Decode(encoded).Recipients.Should().HaveCount(count);
        }
    }

    [TestCase(Limits.MaxTransactionIdLength, false)]
    [TestCase(Limits.MaxTransactionIdLength + 1, true)]
    public void Decode_TransactionIdLength_IsBounded(int length, bool overTheLimit)
    {
        var encoded = Request(m => m.SetAttribute(ScepOids.TransactionId, Printable(new string('7', length))));

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.InvalidAttribute);
        }
        else
        {
            PkiMessage.Decode(encoded).TransactionId.Should().HaveLength(length);
        }
    }

    [TestCase(Limits.MaxNonceLength, false)]
    [TestCase(Limits.MaxNonceLength + 1, true)]
    public void Decode_NonceLength_IsBounded(int length, bool overTheLimit)
    {
        var encoded = Request(m => m.SetAttribute(ScepOids.SenderNonce, AsnNode.OctetString(new byte[length])));

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(encoded)).Reason.Should().Be(ScepError.InvalidAttribute);
        }
        else
        {
            PkiMessage.Decode(encoded).SenderNonce.Length.Should().Be(length);
        }
    }

    [TestCase(Limits.MaxRequestAttributes, false)]
    [TestCase(Limits.MaxRequestAttributes + 1, true)]
    public void Pkcs10Decode_Attributes_AreBounded(int count, bool overTheLimit)
    {
        var encoded = EditCsr(info =>
        {
            var attributes = info.Children[^1];
            while (attributes.Children.Count < count)
            {
                attributes.Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier($"1.3.6.1.4.1.99999.{attributes.Children.Count}"), AsnNode.Set(Printable("x"))));
            }
        });

        if (overTheLimit)
        {
            Fails(() => Pkcs10Request.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            Pkcs10Request.Decode(encoded).VerifyProofOfPossession();
        }
    }

    [TestCase(Limits.MaxRequestedExtensions, false)]
    [TestCase(Limits.MaxRequestedExtensions + 1, true)]
    public void Pkcs10Decode_RequestedExtensions_AreBounded(int count, bool overTheLimit)
    {
        var extensions = AsnNode.Sequence(Enumerable.Range(0, count)
            .Select(i => AsnNode.Sequence(AsnNode.ObjectIdentifier($"1.3.6.1.4.1.99999.{i}"), AsnNode.OctetString([0x05, 0x00])))
            .ToArray());
        var encoded = EditCsr(info => info.Children[^1].Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.ExtensionRequest), AsnNode.Set(extensions))));

        if (overTheLimit)
        {
            Fails(() => Pkcs10Request.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            Pkcs10Request.Decode(encoded).RequestedExtensions.Should().HaveCount(count);
        }
    }

    /// <summary>A SEQUENCE holding a SEQUENCE ... <paramref name="depth"/> constructed values deep.</summary>
    private static AsnNode Nested(int depth, AsnNode innermost, Asn1Tag? tag = null)
    {
        var node = innermost;
        for (var level = 0; level < depth; level++)
        {
            node = AsnNode.Constructed(tag ?? Asn1Tag.Sequence, node);
        }

        return node;
    }

    [TestCase(Limits.MaxNestingDepth, ScepError.MalformedContent)]
    [TestCase(Limits.MaxNestingDepth + 1, ScepError.LimitExceeded)]
    public void IssuerAndSerialDecode_NestingDepth_IsBounded(int depth, ScepError expected)
    {
        var encoded = Nested(depth, AsnNode.Null()).EncodeIndefinite();

        // At the bound the structure is merely wrong; past it the decoder refuses to walk further.
        Fails(() => IssuerAndSerialNumber.Decode(encoded)).Reason.Should().Be(expected);
    }

    /// <summary>
    /// The classic: eContent as indefinite-length constructed OCTET STRINGs nested in one another. ContentInfo,
    /// [0], SignedData, EncapsulatedContentInfo and [0] are five levels, so 59 constructed OCTET STRINGs reach the bound.
    /// </summary>
    [TestCase(Limits.MaxNestingDepth - 5, false)]
    [TestCase(Limits.MaxNestingDepth - 4, true)]
    public void Decode_NestedConstructedOctetStrings_AreBoundedInDepth(int octetStrings, bool overTheLimit)
    {
        var envelope = _request.Envelope!.RawData.ToArray();
        var encoded = Request(m =>
        {
            var explicitContent = m.EncapsulatedContentInfo[1];
            explicitContent.Children[0] = Nested(octetStrings, AsnNode.OctetString(envelope), new Asn1Tag(UniversalTagNumber.OctetString, isConstructed: true));
        }, resign: false);
        var tree = new SignedMessage(AsnNode.Parse(encoded));
        var ber = tree.Root.EncodeIndefinite(n => tree.Certificates!.Children.Contains(n) || n == tree.SignerInfos);

        if (overTheLimit)
        {
            Fails(() => PkiMessage.Decode(ber)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            var message = PkiMessage.Decode(ber);
            message.Content.ToArray().Should().Equal(envelope);
            message.VerifySignature();
        }
    }

    [Test]
    public void EnvelopeAndPkcs10Decode_NestingPastTheBound_IsLimitExceeded()
    {
        var deep = Nested(Limits.MaxNestingDepth + 1, AsnNode.Null()).Encode();

        Fails(() => PkiEnvelope.Decode(deep)).Reason.Should().Be(ScepError.LimitExceeded);
        Fails(() => Pkcs10Request.Decode(deep)).Reason.Should().Be(ScepError.LimitExceeded);
        Fails(() => IssuerAndSubject.Decode(deep)).Reason.Should().Be(ScepError.LimitExceeded);
        Fails(() => DegenerateCertificateSet.Decode(deep)).Reason.Should().Be(ScepError.LimitExceeded);
        Fails(() => NextCaCertificates.Decode(deep)).Reason.Should().Be(ScepError.LimitExceeded);
    }

    [TestCase(Limits.MaxSerialNumberLength, false)]
    [TestCase(Limits.MaxSerialNumberLength + 1, true)]
    public void IssuerAndSerialDecode_SerialNumberLength_IsBounded(int octets, bool overTheLimit)
    {
        var serial = Enumerable.Repeat((byte)0x11, octets).ToArray();
        var encoded = AsnNode.Sequence(AsnNode.Parse(TestPki.Ca.Certificate.SubjectName.RawData), AsnNode.Primitive(Asn1Tag.Integer, serial)).Encode();

        if (overTheLimit)
        {
            Fails(() => IssuerAndSerialNumber.Decode(encoded)).Reason.Should().Be(ScepError.LimitExceeded);
        }
        else
        {
            IssuerAndSerialNumber.Decode(encoded).SerialNumber.Length.Should().Be(octets);
        }
    }

    /// <summary>An RSA SubjectPublicKeyInfo with an arbitrary odd modulus of <paramref name="bits"/> bits (no private key exists: only sizes matter).</summary>
    private static byte[] RsaSpki(int bits, byte[]? exponent = null)
    {
        var modulus = new byte[bits / 8];
        new Random(bits).NextBytes(modulus);
        modulus[0] |= 0x80;
        modulus[^1] |= 0x01;
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent ?? [0x01, 0x00, 0x01] });
        return rsa.ExportSubjectPublicKeyInfo();
    }

    [TestCase(Limits.MinRsaKeySize - 8, TestName = "Verify_RsaKeyJustBelowTheMinimum_IsUnsupportedAlgorithm")]
    [TestCase(Limits.MaxRsaKeySize + 8, TestName = "Verify_RsaKeyJustAboveTheMaximum_IsUnsupportedAlgorithm")]
    public void Verify_RsaKeyOutsideTheBounds_IsUnsupportedAlgorithm(int bits)
    {
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(RsaSpki(bits), out _);

        var error = Fails(() => Signatures.VerifyData(key, new AlgorithmIdentifier(ScepOids.Sha256WithRsa, null), null, [1, 2, 3], new byte[bits / 8]));

        error.Reason.Should().Be(ScepError.UnsupportedAlgorithm);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [TestCase(Limits.MinRsaKeySize)]
    [TestCase(Limits.MaxRsaKeySize)]
    public void Verify_RsaKeyAtTheBounds_IsVerifiedNotRefused(int bits)
    {
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(RsaSpki(bits), out _);

        Signatures.VerifyData(key, new AlgorithmIdentifier(ScepOids.Sha256WithRsa, null), null, [1, 2, 3], new byte[bits / 8]).Should().BeFalse();
    }

    [Test]
    public void Verify_RsaExponentOverEightOctets_IsUnsupportedAlgorithm()
    {
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(RsaSpki(2048, Enumerable.Repeat((byte)0xFF, Limits.MaxRsaExponentLength + 1).ToArray()), out _);

        Fails(() => Signatures.VerifyData(key, new AlgorithmIdentifier(ScepOids.Sha256WithRsa, null), null, [1], new byte[256]))
            .Reason.Should().Be(ScepError.UnsupportedAlgorithm);
    }

    [Test]
    public void VerifyProofOfPossession_RequestForAnOversizedRsaKey_IsBadAlg()
    {
        var spki = AsnNode.Parse(RsaSpki(Limits.MaxRsaKeySize + 8));
        var request = Pkcs10Request.Decode(EditCsr(info => info.Children[2] = spki));

        Fails(request.VerifyProofOfPossession).FailInfo.Should().Be(FailInfo.BadAlg);
    }

    private byte[] EditCsr(Action<AsnNode> editInfo) => MessageSurgery.EditSigned(_csr.RawData, editInfo, _client.Key, HashAlgorithmName.SHA256);
}
