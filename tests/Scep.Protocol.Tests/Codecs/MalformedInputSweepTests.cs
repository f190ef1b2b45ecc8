using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// Truncation and mutation sweeps over every decoder: whatever bytes arrive, decoding, verifying and
/// decrypting either succeed or throw <see cref="ScepException"/>. Any other exception escaping is a bug
/// (a server would answer 500 instead of 400 or a FAILURE CertRep). The corruptions come from fixed seeds,
/// so a failure reproduces, and the report names the input in hex.
/// </summary>
public class MalformedInputSweepTests
{
    private const int Seed = 8894;

    // A pkiMessage input costs certificate loading and up to three RSA operations, so whole-message raw flips
    // stay few: they land mostly in ciphertext and certificates, which the envelope and certificate sweeps
    // cover structurally.
    private const int MessageFlips = 40;
    private const int ContentFlips = 150;

    private static readonly Lazy<SweepPki> Pki = new(() => new SweepPki());

    public enum Family
    {
        /// <summary>Every prefix of the encoding.</summary>
        Truncation,

        /// <summary>One byte XORed with a random non-zero value, at a random position.</summary>
        ByteFlip,

        /// <summary>One random bit flipped.</summary>
        BitFlip,

        /// <summary>Each value of the ASN.1 tree shortened, emptied, removed, duplicated or re-tagged, lengths kept consistent.</summary>
        Structure,

        /// <summary>The same structural edits inside the pkcsPKIEnvelope, re-wrapped in the otherwise intact message.</summary>
        EnvelopeStructure,

        /// <summary>Each definite length field rewritten in place (±1, 0, indefinite, reserved, 4 GB); embedded certificates left alone.</summary>
        LengthField,

        /// <summary>Signed attributes, SignerInfo, certificates and envelope of the other request samples spliced in.</summary>
        Splice,
    }

    /// <summary>A valid input and what to run on a corrupted copy of it.</summary>
    public sealed record Sample(byte[] Encoded, Action<byte[]> Process);

    private static readonly Family[] Everything = Enum.GetValues<Family>();
    private static readonly Family[] Outer = [Family.Truncation, Family.ByteFlip, Family.BitFlip, Family.Structure, Family.LengthField];
    private static readonly Family[] Light = [Family.Truncation, Family.ByteFlip, Family.BitFlip];

    /// <summary>Which corruptions each sample gets: the full set where the structure differs, flips and truncations elsewhere.</summary>
    private static readonly (string Name, Family[] Families)[] Matrix =
    [
        ("PkiMessage_PKCSReq", Everything),
        ("PkiMessage_PKCSReqEcdsaOaep", Everything),
        ("PkiMessage_PKCSReqStreamedBer", Light),
        ("PkiMessage_RenewalReq", [.. Light, Family.LengthField, Family.Splice]),
        ("PkiMessage_CertPoll", [.. Light, Family.Splice]),
        ("PkiMessage_GetCert", [.. Light, Family.Splice]),
        ("PkiMessage_GetCRL", Light),
        ("PkiMessage_CertRepSuccess", Everything),
        ("PkiMessage_CertRepSuccessWithCrl", Light),
        ("PkiMessage_CertRepPending", Light),
        ("PkiMessage_CertRepFailure", Outer),
        ("Pkcs10Request_Rsa", Outer),
        ("Pkcs10Request_Ecdsa", Outer),
        ("IssuerAndSerialNumber", Outer),
        ("IssuerAndSubject", Outer),
        ("DegenerateCertificateSet", Outer),
        ("CaCertificates_Single", Outer),
        ("CaCertificates_CaAndRa", Outer),
        ("NextCaCertificates", Outer),
        ("PkiEnvelope_Oaep", Outer),
        ("PkiEnvelope_Des", Outer),
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        from entry in Matrix
        from family in entry.Families
        select new TestCaseData(entry.Name, family).SetName($"Sweep_{entry.Name}_{family}_OnlyScepExceptionEscapes");

    [Test]
    public void Matrix_NamesExactlyTheBuiltSamples()
    {
        Pki.Value.Samples.Keys.Should().BeEquivalentTo(Matrix.Select(m => m.Name));
    }

    [TestCaseSource(nameof(Cases))]
    public void Sweep_CorruptedInput_OnlyScepExceptionEscapes(string name, Family family)
    {
        var sample = Pki.Value.Samples[name];
        var random = new Random(Seed + (name.Sum(c => c) * 31) + (int)family);
        var isMessage = name.StartsWith("PkiMessage", StringComparison.Ordinal);
        var flips = isMessage ? MessageFlips : ContentFlips;
        var inputs = family switch
        {
            Family.Truncation => Mutations.Truncations(sample.Encoded),
            Family.ByteFlip => Mutations.ByteFlips(sample.Encoded, random, flips),
            Family.BitFlip => Mutations.BitFlips(sample.Encoded, random, flips),
            Family.Structure when isMessage || name == "NextCaCertificates" =>
                Mutations.Structural(sample.Encoded, root => new SignedMessage(root).Certificates?.Children ?? []),
            Family.Structure => Mutations.Structural(sample.Encoded),
            Family.LengthField when isMessage || name == "NextCaCertificates" => Mutations.LengthFields(sample.Encoded, Mutations.OutsideCertificates(sample.Encoded)),
            Family.LengthField => Mutations.LengthFields(sample.Encoded),
            Family.Splice => Mutations.Splices(sample.Encoded, Pki.Value.Samples.Where(s => s.Key is "PkiMessage_PKCSReq" or "PkiMessage_GetCRL" or "PkiMessage_CertRepFailure" && s.Key != name).Select(s => s.Value.Encoded).ToList()),
            _ => EnvelopeMutations(sample.Encoded),
        };

        var report = Sweep.Run(inputs, sample.Process);

        TestContext.Out.WriteLine($"{name} {family}: {report}");
        report.Escaped.Should().BeEmpty("only ScepException may escape, but:\n{0}", string.Join("\n", report.Escaped));
        report.Rejected.Should().BePositive("the corruptions reach the decoder's checks");
    }

    private static IEnumerable<byte[]> EnvelopeMutations(byte[] message)
    {
        var envelope = new SignedMessage(AsnNode.Parse(message)).EContent
            ?? throw new InvalidOperationException("The sample has no envelope.");
        foreach (var corrupted in Mutations.Structural(envelope))
        {
            yield return MessageSurgery.Edit(message, m => m.EContent = corrupted);
        }
    }

    /// <summary>Decode, read what a server or client reads, verify, then decrypt and parse the content.</summary>
    private static void ProcessPkiMessage(byte[] input, X509Certificate2 recipient, RSA key)
    {
        PkiMessage.TryDecode(input, out _, out _);
        var message = PkiMessage.Decode(input);
        _ = message.ToString();
        _ = message.SignerCertificate?.Subject;
        Rejected(() => message.EnsureSigningTimeWithin(Scenario.Now, TimeSpan.FromDays(1)));
        Rejected(() => message.VerifySignature(ScepAlgorithmPolicy.Legacy));
        if (message.SignerCertificate is null)
        {
            Rejected(() => message.VerifySignature(ScepAlgorithmPolicy.Legacy, Pki.Value.Known));
        }

        if (message.Envelope is { } envelope)
        {
            _ = envelope.FindRecipientCertificate([recipient]);
            _ = envelope.Recipients.Select(r => r.IssuerAndSerialNumber?.ToString()).ToList();
        }

        Touch(message.Decrypt(recipient, key, ScepAlgorithmPolicy.Legacy));
    }

    private static void Rejected(Action action)
    {
        try
        {
            action();
        }
        catch (ScepException)
        {
        }
    }

    private static void Touch(PkiMessageContent content)
    {
        if (content.CertificationRequest is { } csr)
        {
            Touch(csr);
        }

        _ = content.IssuerAndSubject?.ToString();
        _ = content.IssuerAndSerialNumber?.ToString();
        if (content.CertificateSet is { } set)
        {
            _ = set.Certificates.Select(c => c.Subject).ToList();
        }
    }

    private static void Touch(Pkcs10Request csr)
    {
        _ = csr.Subject.Name;
        _ = csr.PublicKey.Oid.Value;
        _ = csr.CommonName;
        _ = csr.RequestedExtensions.Count;
        _ = csr.HasSamePublicKeyAs(Pki.Value.Known[0]);
        Rejected(csr.VerifyProofOfPossession);
    }

    private static void Touch(CaCertificates certificates)
    {
        _ = certificates.IssuerCertificate.Subject;
        _ = certificates.EncryptionCertificate.Subject;
        _ = certificates.SigningCertificate.Subject;
        _ = certificates.HasRegistrationAuthority;
    }

    /// <summary>Valid samples of every decoder's input, built once with 1024-bit keys (RSA is the slow part of the sweep).</summary>
    private sealed class SweepPki
    {
        public SweepPki()
        {
            var ca = TestPki.CreateCa("CN=Sweep CA,O=Scep.Protocol Tests", TestPki.CachedRsa(120, 1024));
            var ra = TestPki.CreateRa(ca, "CN=Sweep RA", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(121, 1024));
            var clientKey = TestPki.CachedRsa(122, 1024);
            var client = TestPki.CreateSelfSigned("CN=sweep-device,O=Example", clientKey);
            var issued = TestPki.Issue(ca, "CN=sweep-device,O=Example", clientKey);
            var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var ecClient = TestPki.CreateSelfSigned("CN=sweep-ec-device", ecKey);

            var csrBuilder = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=sweep-device,O=Example"))
            {
                ChallengePassword = "sweep-secret",
                UnstructuredName = "sweep.example.com",
                UnstructuredAddress = "192.0.2.1",
            };
            csrBuilder.Extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            csrBuilder.Extensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            var csr = csrBuilder.Build(clientKey, HashAlgorithmName.SHA256);
            var ecCsr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=sweep-ec-device")) { ChallengePassword = "pässwörd" }
                .Build(ecKey, HashAlgorithmName.SHA384);

            var parameters = Scenario.RequestParameters(client, ca.Certificate, transactionId: "SWEEP-1");
            var renewal = Scenario.RequestParameters(issued, ca.Certificate, ContentEncryptionAlgorithm.TripleDesCbc, HashAlgorithmName.SHA1, "SWEEP-2");
            var ecOaep = Scenario.RequestParameters(ecClient, ra.Certificate, ContentEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA512, "SWEEP-3", KeyTransportAlgorithm.RsaOaepSha256);
            var pkcsReq = PkiMessage.CreatePkcsReq(csr, parameters);
            var reply = Scenario.ReplyParameters(ca);
            var serial = IssuerAndSerialNumber.FromCertificate(issued.Certificate);

            Known = [ca.Certificate, ra.Certificate, issued.Certificate, client.Certificate, ecClient.Certificate];
            var toCa = (Action<byte[]>)(input => ProcessPkiMessage(input, ca.Certificate, ca.Rsa));
            var toClient = (Action<byte[]>)(input => ProcessPkiMessage(input, client.Certificate, client.Rsa));

            var streamed = new SignedMessage(AsnNode.Parse(pkcsReq.RawData.Span));
            var keepDefinite = new HashSet<AsnNode>(streamed.Certificates!.Children) { streamed.DigestAlgorithms, streamed.SignerInfos };
            var ber = streamed.Root.EncodeIndefinite(keepDefinite.Contains);

            var crl = new CertificateRevocationListBuilder().Build(
                ca.Certificate.SubjectName,
                X509SignatureGenerator.CreateForRSA(ca.Rsa, RSASignaturePadding.Pkcs1),
                1,
                Scenario.Now.AddDays(7),
                HashAlgorithmName.SHA256,
                X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false),
                Scenario.Now);
            var certsAndCrl = DegenerateCertificateSet.Create([issued.Certificate, ca.Certificate], [crl]);
            var certAndCrl = DegenerateCertificateSet.Create([issued.Certificate], [crl]);
            var next = NextCaCertificates.Create([ra.Certificate, ca.Certificate], issued.Certificate, issued.Key, HashAlgorithmName.SHA256, Scenario.Now);

            Samples = new Dictionary<string, Sample>
            {
                ["PkiMessage_PKCSReq"] = new(pkcsReq.Encode(), toCa),
                ["PkiMessage_PKCSReqEcdsaOaep"] = new(PkiMessage.CreatePkcsReq(ecCsr, ecOaep).Encode(), input => ProcessPkiMessage(input, ra.Certificate, ra.Rsa)),
                ["PkiMessage_PKCSReqStreamedBer"] = new(ber, toCa),
                ["PkiMessage_RenewalReq"] = new(PkiMessage.CreateRenewalReq(csr, renewal).Encode(), toCa),
                ["PkiMessage_CertPoll"] = new(PkiMessage.CreateCertPoll(IssuerAndSubject.Create(ca.Certificate.SubjectName, csr.Subject), parameters).Encode(), toCa),
                ["PkiMessage_GetCert"] = new(PkiMessage.CreateGetCert(serial, renewal).Encode(), toCa),
                ["PkiMessage_GetCRL"] = new(PkiMessage.CreateGetCrl(serial, renewal).Encode(), toCa),
                ["PkiMessage_CertRepSuccess"] = new(CertRep.CreateSuccess(pkcsReq, DegenerateCertificateSet.Create([issued.Certificate, ca.Certificate]), reply).Encode(), toClient),
                ["PkiMessage_CertRepSuccessWithCrl"] = new(CertRep.CreateSuccess(pkcsReq, certsAndCrl, reply).Encode(), toClient),
                ["PkiMessage_CertRepPending"] = new(CertRep.CreatePending(pkcsReq, reply).Encode(), toClient),
                ["PkiMessage_CertRepFailure"] = new(CertRep.CreateFailure(pkcsReq, FailInfo.BadRequest, "refused", reply).Encode(), toClient),
                ["Pkcs10Request_Rsa"] = new(csr.Encode(), input => Touch(Pkcs10Request.Decode(input))),
                ["Pkcs10Request_Ecdsa"] = new(ecCsr.Encode(), input => Touch(Pkcs10Request.Decode(input))),
                ["IssuerAndSerialNumber"] = new(serial.Encode(), input =>
                {
                    var decoded = IssuerAndSerialNumber.Decode(input);
                    _ = decoded.ToString();
                    _ = decoded.Matches(issued.Certificate);
                    _ = decoded.Encode();
                }),
                ["IssuerAndSubject"] = new(IssuerAndSubject.Create(ca.Certificate.SubjectName, csr.Subject).Encode(), input =>
                {
                    var decoded = IssuerAndSubject.Decode(input);
                    _ = decoded.ToString();
                    _ = decoded.Encode();
                }),
                ["DegenerateCertificateSet"] = new(certAndCrl.Encode(), input =>
                {
                    var decoded = DegenerateCertificateSet.Decode(input);
                    _ = decoded.FindByPublicKey(client.Certificate.PublicKey);
                    _ = decoded.Crls.Count;
                }),
                ["CaCertificates_Single"] = new(ca.Certificate.RawData, input => Touch(CaCertificates.Decode(input))),
                ["CaCertificates_CaAndRa"] = new(CaCertificates.Create([ra.Certificate, ca.Certificate]).Encode(), input => Touch(CaCertificates.Decode(input))),
                ["NextCaCertificates"] = new(next.Encode(), input =>
                {
                    var decoded = NextCaCertificates.Decode(input);
                    Touch(decoded.Next);
                    Rejected(() => decoded.VerifySignature([issued.Certificate, ca.Certificate]));
                }),
                ["PkiEnvelope_Oaep"] = new(PkiEnvelope.Create(csr.RawData.Span, ra.Certificate, ContentEncryptionAlgorithm.Aes192Cbc, KeyTransportAlgorithm.RsaOaepSha384).RawData.ToArray(), input =>
                {
                    var decoded = PkiEnvelope.Decode(input);
                    _ = decoded.FindRecipientCertificate([ca.Certificate, ra.Certificate]);
                    decoded.Decrypt(ra.Certificate, ra.Rsa);
                }),
                ["PkiEnvelope_Des"] = new(PkiEnvelope.Create(csr.RawData.Span, ca.Certificate, ContentEncryptionAlgorithm.DesCbc).RawData.ToArray(), input =>
                    PkiEnvelope.Decode(input).Decrypt(ca.Certificate, ca.Rsa, ScepAlgorithmPolicy.Legacy)),
            };
        }

        public IReadOnlyDictionary<string, Sample> Samples { get; }

        /// <summary>The sweep PKI's certificates, as a client or server would know them.</summary>
        public X509Certificate2[] Known { get; }
    }
}
