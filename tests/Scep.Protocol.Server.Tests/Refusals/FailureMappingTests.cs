using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Refusals;

/// <summary>
/// Issue point 7: every failure the protocol can express is a signed FAILURE with the right failInfo in an
/// HTTP 200 (reference §10.1); input that cannot be answered is a plain-text 4xx; nothing is ever a 500.
/// </summary>
public class FailureMappingTests
{
    private static async Task<PkiMessage> PostRawAsync(ServerHarness server, byte[] body, string? alias = "ra")
    {
        var response = await server.PostAsync(body, alias);
        return server.ReplyFrom(response, PkiMessage.Decode(body));
    }

    private static void ShouldFailWith(PkiMessage reply, FailInfo failInfo)
    {
        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(failInfo, reply.FailInfoText);
        reply.Envelope.Should().BeNull("FAILURE carries no pkcsPKIEnvelope");
    }

    [Test]
    public async Task BadSignature_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var bytes = server.NewClient("CN=device-1", "ra-secret").PkcsReq().Encode();
        bytes[^1] ^= 0x01; // the SignerInfo's signature is the last field of the encoding

        ShouldFailWith(await PostRawAsync(server, bytes), FailInfo.BadMessageCheck);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task ContentChangedAfterSigning_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();
        var bytes = request.Encode();
        var at = bytes.AsSpan().IndexOf(request.Envelope!.RawData.Span);
        bytes[at + (request.Envelope.RawData.Length / 2)] ^= 0x40;

        ShouldFailWith(await PostRawAsync(server, bytes), FailInfo.BadMessageCheck);
    }

    [Test]
    public async Task SignedByACertificateThatIsNotInTheMessage_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var other = TestPki.CreateSelfSigned("CN=device-1", TestPki.CachedRsa(11));
        var parameters = server.Parameters(client.Signer);
        var request = PkiMessage.CreatePkcsReq(client.Csr, new PkiRequestParameters
        {
            TransactionId = parameters.TransactionId,
            SignerCertificate = other.Certificate,
            SignerKey = client.Signer.Key,
            RecipientCertificate = parameters.RecipientCertificate,
            SigningTime = server.Now,
        });

        ShouldFailWith(await server.SendAsync(request, "ra"), FailInfo.BadMessageCheck);
    }

    [Test]
    public async Task EnvelopeEncryptedToAnotherCertificate_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var stranger = TestPki.CreateSelfSigned("CN=Not this CA", TestPki.CachedRsa(905));
        var client = server.NewClient("CN=device-1", "ra-secret", recipient: stranger.Certificate);

        ShouldFailWith(await client.EnrollAsync("ra"), FailInfo.BadMessageCheck);
    }

    [Test]
    public async Task EnvelopeCiphertextTamperedBeforeSigning_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var envelope = PkiEnvelope.Create(client.Csr.RawData.Span, server.Ca.Certificate, ContentEncryptionAlgorithm.Aes128Cbc, KeyTransportAlgorithm.RsaPkcs1).RawData.ToArray();
        // The ciphertext ends the EnvelopedData; flipping the top bit of the last byte of the second-to-last
        // block turns the CBC padding byte (1..16) into 0x81..0x90: the padding can never be valid.
        envelope[^17] ^= 0x80;
        var bytes = HandBuiltMessage.Sign(MessageType.PKCSReq, envelope, client.Signer, HashAlgorithmName.SHA256, "tampered-1", ScepNonce.Create(), server.Now);

        ShouldFailWith(await PostRawAsync(server, bytes), FailInfo.BadMessageCheck);
    }

    [Test]
    public async Task HandBuiltRequest_Untampered_IsIssued()
    {
        // The control for the test above: the hand-built message itself is sound.
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var envelope = PkiEnvelope.Create(client.Csr.RawData.Span, server.Ca.Certificate, ContentEncryptionAlgorithm.Aes128Cbc, KeyTransportAlgorithm.RsaPkcs1).RawData;
        var bytes = HandBuiltMessage.Sign(MessageType.PKCSReq, envelope.Span, client.Signer, HashAlgorithmName.SHA256, "untampered-1", ScepNonce.Create(), server.Now);

        (await PostRawAsync(server, bytes)).Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task CertificationRequestWithABadProofOfPossession_IsBadMessageCheck()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var csrBytes = client.Csr.Encode();
        csrBytes[^1] ^= 0x01;
        var request = PkiMessage.CreatePkcsReq(Pkcs10Request.Decode(csrBytes), server.Parameters(client.Signer));

        ShouldFailWith(await server.SendAsync(request, "ra"), FailInfo.BadMessageCheck);
    }

    [TestCase(ContentEncryptionAlgorithm.DesCbc)]
    public async Task ContentEncryptionNotAllowedByDefault_IsBadAlg(ContentEncryptionAlgorithm algorithm)
    {
        using var server = ServerHarness.Create();

        ShouldFailWith(await server.NewClient("CN=device-1", "ra-secret", encryption: algorithm).EnrollAsync("ra"), FailInfo.BadAlg);
    }

    [Test]
    public async Task Md5DigestNotAllowedByDefault_IsBadAlg()
    {
        using var server = ServerHarness.Create();

        ShouldFailWith(await server.NewClient("CN=device-1", "ra-secret", digest: HashAlgorithmName.MD5).EnrollAsync("ra"), FailInfo.BadAlg);
    }

    [TestCase(-25)]
    [TestCase(25)]
    public async Task SigningTimeOutsideTheDefaultTolerance_IsBadTime(int hours)
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = PkiMessage.CreatePkcsReq(client.Csr, new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = client.Signer.Certificate,
            SignerKey = client.Signer.Key,
            RecipientCertificate = server.Ca.Certificate,
            SigningTime = server.Now.AddHours(hours),
        });

        ShouldFailWith(await server.SendAsync(request, "ra"), FailInfo.BadTime);
    }

    [Test]
    public async Task NoSigningTime_IsNotAnError()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = PkiMessage.CreatePkcsReq(client.Csr, new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = client.Signer.Certificate,
            SignerKey = client.Signer.Key,
            RecipientCertificate = server.Ca.Certificate,
            SigningTime = null,
        });

        (await server.SendAsync(request, "ra")).Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task GetCertForAnUnknownCertificate_IsBadCertId()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", null);
        var id = IssuerAndSerialNumber.Create(server.Ca.Certificate.SubjectName, [0x7F, 0x01]);

        ShouldFailWith(await server.SendAsync(PkiMessage.CreateGetCert(id, server.Parameters(client.Signer)), "ra"), FailInfo.BadCertId);
    }

    [Test]
    public async Task RefusedByPolicy_IsBadRequestWithAReason()
    {
        using var server = ServerHarness.Create();

        var reply = await server.NewClient("CN=device-1", "wrong").EnrollAsync("ra");

        ShouldFailWith(reply, FailInfo.BadRequest);
        reply.FailInfoText.Should().NotBeNullOrEmpty();
    }

    [Test]
    public async Task RefusedByTheAuthority_IsBadRequestWithTheAuthoritysReason()
    {
        using var server = ServerHarness.Create();
        server.Authority.RejectAllWithReason = "Subject not allowed by the certificate profile.";

        var reply = await server.NewClient("CN=device-1", "ra-secret").EnrollAsync("ra");

        ShouldFailWith(reply, FailInfo.BadRequest);
        reply.FailInfoText.Should().Be("Subject not allowed by the certificate profile.");
    }

    [TestCase(23)]
    [TestCase(0)]
    [TestCase(99)]
    public async Task UnknownMessageType_IsBadRequest(int messageType)
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = PkiMessage.CreateRequest((MessageType)messageType, client.Csr.RawData.Span, server.Parameters(client.Signer));

        ShouldFailWith(await server.SendAsync(request, "ra"), FailInfo.BadRequest);
    }

    [Test]
    public async Task CertRepSentToTheServer_IsBadRequest()
    {
        using var server = ServerHarness.Create();
        var certRep = await server.NewClient("CN=device-1", "wrong").EnrollAsync("ra");

        var reply = await server.SendAsync(certRep, "ra");

        ShouldFailWith(reply, FailInfo.BadRequest);
    }

    [Test]
    public async Task PkcsReqWhoseEnvelopeHoldsNoCertificationRequest_IsBadRequest()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = PkiMessage.CreateRequest(MessageType.PKCSReq, [0x04, 0x03, 0x01, 0x02, 0x03], server.Parameters(client.Signer));

        ShouldFailWith(await server.SendAsync(request, "ra"), FailInfo.BadRequest);
    }

    private static IEnumerable<TestCaseData> NotPkiMessages()
    {
        yield return new TestCaseData(RandomNumberGenerator.GetBytes(300)).SetName("Post_RandomBytes_Is400WithAPlainTextReason");
        yield return new TestCaseData(TestPki.Ca.Certificate.RawData).SetName("Post_ACertificate_Is400WithAPlainTextReason");
        yield return new TestCaseData(Array.Empty<byte>()).SetName("Post_AnEmptyBody_Is400WithAPlainTextReason");
        yield return new TestCaseData(new byte[] { 0x30, 0x80 }).SetName("Post_ATruncatedSequence_Is400WithAPlainTextReason");
        yield return new TestCaseData(DegenerateCertificateSet.Create([TestPki.Ca.Certificate]).Encode()).SetName("Post_ACertificatesOnlySignedData_Is400WithAPlainTextReason");
    }

    [TestCaseSource(nameof(NotPkiMessages))]
    public async Task NotAPkiMessage_Is400WithAPlainTextReason(byte[] body)
    {
        using var server = ServerHarness.Create();

        var response = await server.PostAsync(body, "ra");

        response.StatusCode.Should().Be(400);
        response.ContentType.Should().StartWith("text/plain");
        Encoding.UTF8.GetString(response.Body.Span).Should().NotBeNullOrWhiteSpace();
    }

    [TestCase("!!!not-base64!!!")]
    [TestCase("QUJD%")]
    [TestCase("A")]
    [TestCase("")]
    public async Task GetWithAnUnusableMessage_Is400WithAPlainTextReason(string message)
    {
        using var server = ServerHarness.Create();

        var response = await server.GetAsync("operation=PKIOperation&message=" + message, "ra");

        response.StatusCode.Should().Be(400);
        response.ContentType.Should().StartWith("text/plain");
    }

    [Test]
    public async Task GetWithoutOperation_Is400()
    {
        using var server = ServerHarness.Create();

        (await server.GetAsync("message=x", "ra")).StatusCode.Should().Be(400);
    }

    [Test]
    public async Task UnknownOperation_Is400()
    {
        using var server = ServerHarness.Create();

        (await server.GetAsync("operation=GetEverything", "ra")).StatusCode.Should().Be(400);
    }

    [Test]
    public async Task FortyEightRandomCorruptionsOfAValidRequest_NeverGetA500()
    {
        using var server = ServerHarness.Create();
        var valid = server.NewClient("CN=device-1", "ra-secret").PkcsReq().Encode();
        var random = new Random(20260601);
        var statuses = new List<int>();

        for (var i = 0; i < 48; i++)
        {
            var corrupted = Corrupt(valid, random, i % 4);
            var response = i % 3 == 0
                ? await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(corrupted), "ra")
                : await server.PostAsync(corrupted, "ra");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == 200)
            {
                PkiMessage.Decode(response.Body).MessageType.Should().Be(MessageType.CertRep, "corruption {0} got a 200 that is not a CertRep", i);
            }
        }

        statuses.Should().OnlyContain(s => s == 200 || (s >= 400 && s < 500), "statuses were {0}", string.Join(",", statuses));
        server.Authority.IssuedCertificates.Count.Should().BeLessThanOrEqualTo(1, "at most one corruption can leave the request intact enough to issue");
    }

    [Test]
    public async Task PkcsReqFromAnEcClient_IsBadAlgWithAReason()
    {
        using var server = ServerHarness.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = TestPki.CreateSelfSigned("CN=ec-device", key);
        var csr = Scenario.Csr("CN=ec-device", key, "ra-secret");

        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(csr, server.Parameters(signer)), "ra");

        ShouldFailWith(reply, FailInfo.BadAlg);
        reply.FailInfoText.Should().Contain("RSA");
    }

    [Test]
    public async Task GetCertFromAnEcSigner_IsAFailureNotA500()
    {
        using var server = ServerHarness.Create();
        var issued = await server.IssueAsync("device-1", 30);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = TestPki.CreateSelfSigned("CN=ec-device", key);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(issued.Certificate), server.Parameters(signer)), "ra");

        ShouldFailWith(reply, FailInfo.BadAlg);
    }

    private static byte[] Corrupt(byte[] valid, Random random, int kind)
    {
        var bytes = (byte[])valid.Clone();
        switch (kind)
        {
            case 0:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                var at = random.Next(bytes.Length);
                return [.. bytes[..at], (byte)random.Next(256), .. bytes[at..]];
            default:
                var start = random.Next(bytes.Length);
                bytes.AsSpan(start, Math.Min(random.Next(1, 64), bytes.Length - start)).Clear();
                return bytes;
        }
    }
}
