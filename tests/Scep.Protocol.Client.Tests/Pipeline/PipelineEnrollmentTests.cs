using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// Issue 5: <see cref="ScepClient"/> against the real server pipeline in process: capabilities, GetCACert (CA alone,
/// and CA with separate RA certificates), enrollment in CA and RA mode, GET or POST from the alias's capabilities,
/// every content encryption an alias allows, and a re-sent request.
/// </summary>
public class PipelineEnrollmentTests
{
    [Test]
    public async Task GetCapabilities_DefaultAlias_AdvertisesWhatTheAliasDoes()
    {
        using var server = PipelineServer.Create();

        var caps = await server.Client("scep").GetCapabilitiesAsync();

        caps.Supports(CaCapability.ScepStandard).Should().BeTrue();
        caps.Supports(CaCapability.PostPkiOperation).Should().BeTrue();
        caps.Supports(CaCapability.Renewal).Should().BeTrue();
        caps.Supports(CaCapability.Aes).Should().BeTrue();
        caps.Supports(CaCapability.GetNextCACert).Should().BeFalse("no rollover is configured");
        caps.UsePost.Should().BeTrue();
    }

    [Test]
    public async Task GetCapabilities_AliasWithoutPost_DoesNotAdvertisePostOrScepStandard()
    {
        using var server = PipelineServer.Create();

        var caps = await server.Client("get-only").GetCapabilitiesAsync();

        caps.Supports(CaCapability.PostPkiOperation).Should().BeFalse();
        caps.Supports(CaCapability.ScepStandard).Should().BeFalse("SCEPStandard implies POST");
        caps.UsePost.Should().BeFalse();
    }

    [Test]
    public async Task GetCaCertificates_SingleCa_IsTheCaForEveryRole()
    {
        using var server = PipelineServer.Create();

        var certificates = await server.Client().GetCaCertificatesAsync();

        certificates.Certificates.Should().ContainSingle();
        certificates.HasRegistrationAuthority.Should().BeFalse();
        certificates.IssuerCertificate.RawData.Should().Equal(server.Ca.Certificate.RawData);
        certificates.EncryptionCertificate.RawData.Should().Equal(server.Ca.Certificate.RawData);
        certificates.SigningCertificate.RawData.Should().Equal(server.Ca.Certificate.RawData);
    }

    [Test]
    public async Task GetCaCertificates_CaWithRaCertificates_PicksEachRaCertificateByKeyUsage()
    {
        using var server = PipelinePki.RaCertificateServer();
        var (ca, signing, encryption) = PipelinePki.RaCertificates;

        var certificates = await server.Client().GetCaCertificatesAsync();

        certificates.Certificates.Should().HaveCount(3);
        certificates.HasRegistrationAuthority.Should().BeTrue();
        certificates.IssuerCertificate.RawData.Should().Equal(ca.Certificate.RawData);
        certificates.EncryptionCertificate.RawData.Should().Equal(encryption.Certificate.RawData);
        certificates.SigningCertificate.RawData.Should().Equal(signing.Certificate.RawData);
    }

    [Test]
    public async Task GetCaCertificates_IssuingCaBelowAnIntermediate_PicksTheIssuingCaForEveryRole()
    {
        using var server = PipelinePki.IssuingCaChainServer();
        var (_, intermediate, issuing) = PipelinePki.IssuingCaChain;

        var certificates = await server.Client().GetCaCertificatesAsync();

        certificates.Certificates.Select(c => c.Thumbprint).Should().BeEquivalentTo([issuing.Certificate.Thumbprint, intermediate.Certificate.Thumbprint], "the root is left out by default");
        certificates.IssuerCertificate.RawData.Should().Equal(issuing.Certificate.RawData);
        certificates.EncryptionCertificate.RawData.Should().Equal(issuing.Certificate.RawData);
        certificates.SigningCertificate.RawData.Should().Equal(issuing.Certificate.RawData);
    }

    [Test]
    public async Task EnrollAsync_CaModeWithOneTimeCode_IssuesForTheRequestedKeyAndMarksTheEntityGenerated()
    {
        using var server = PipelineServer.Create();
        server.AddEntity("router-1", "one-time-1");
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(710);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=router-1,O=Example", "one-time-1"), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.Subject.Should().Be("CN=router-1, O=Example");
        result.Certificate.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        CertificateSignature.IsIssuedBy(result.Certificate, server.Ca.Certificate).Should().BeTrue();
        result.AdditionalCertificates.Select(c => c.Thumbprint).Should().Equal(server.Ca.Certificate.Thumbprint);
        (await server.Entities.FindAsync("router-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task EnrollAsync_CaModeCodeUsedTwice_SecondIsAFailedResultWithBadRequest()
    {
        using var server = PipelineServer.Create();
        server.AddEntity("router-2", "one-time-2");
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var firstKey = TestPki.CachedRsa(711);
        var secondKey = TestPki.CachedRsa(712);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(firstKey, "CN=router-2", "one-time-2"), firstKey);

        var second = await client.EnrollAsync(info, PipelineServer.Csr(secondKey, "CN=router-2", "one-time-2"), secondKey);

        first.Status.Should().Be(EnrollmentStatus.Issued);
        second.Status.Should().Be(EnrollmentStatus.Failed);
        second.FailInfo.Should().Be(FailInfo.BadRequest);
        second.FailInfoText.Should().NotBeNullOrEmpty();
        second.Certificate.Should().BeNull();
        server.Authority.IssuedCertificates.Should().ContainSingle("a one-time code issues one certificate");
    }

    [Test]
    public async Task EnrollAsync_RaModeWithTheChallenge_IssuesWithTheRequestsSubject()
    {
        using var server = PipelineServer.Create();
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(713);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=ra-device,OU=Floor 3,O=Example", PipelineServer.RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.Subject.Should().Be("CN=ra-device, OU=Floor 3, O=Example");
        CertificateSignature.IsIssuedBy(result.Certificate, server.Ca.Certificate).Should().BeTrue();
    }

    [Test]
    public async Task EnrollAsync_RaModeWithAWrongChallenge_IsAFailedResultWithBadRequest()
    {
        using var server = PipelineServer.Create();
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(714);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=ra-guess", "not-the-challenge"), key);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task EnrollAsync_CaWithRaCertificates_EncryptsToTheRaAndAcceptsTheRaSignedReply()
    {
        using var server = PipelinePki.RaCertificateServer();
        var (ca, signing, encryption) = PipelinePki.RaCertificates;
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(715);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=behind-an-ra", PipelineServer.RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        CertificateSignature.IsIssuedBy(result.Certificate!, ca.Certificate).Should().BeTrue("the CA issues; the RA only carries the protocol");
        result.Request.Envelope!.FindRecipientCertificate([encryption.Certificate]).Should().NotBeNull("requests are encrypted to the RA encryption certificate");
        result.Reply.SignerCertificate!.RawData.Should().Equal(signing.Certificate.RawData);
    }

    [Test]
    public async Task EnrollAsync_IssuingCaBelowAnIntermediate_IssuesWithTheChainInTheReply()
    {
        using var server = PipelinePki.IssuingCaChainServer();
        var (_, intermediate, issuing) = PipelinePki.IssuingCaChain;
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(722);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=chain-device", PipelineServer.RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        CertificateSignature.IsIssuedBy(result.Certificate!, issuing.Certificate).Should().BeTrue();
        result.AdditionalCertificates.Select(c => c.Thumbprint).Should().Equal(issuing.Certificate.Thumbprint, intermediate.Certificate.Thumbprint);
    }

    [Test]
    public async Task EnrollWithSignerAsync_PkcsReqSignedByAnIssuedCertificate_IsRenewedAfterHalfTheValidity()
    {
        using var server = PipelineServer.Create();
        var oldKey = TestPki.CachedRsa(723);
        var issued = await server.IssueAsync("macos-style", oldKey);
        server.Time.Advance(TimeSpan.FromDays(190));
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var newKey = TestPki.CachedRsa(724);

        // The draft-era renewal that macOS and Cisco send: messageType PKCSReq, signed by the current certificate.
        var renewed = await client.EnrollWithSignerAsync(info, PipelineServer.Csr(newKey, "CN=macos-style", challenge: null), ScepSigner.Create(issued.Certificate!, oldKey));

        renewed.Status.Should().Be(EnrollmentStatus.Issued, renewed.ToString());
        renewed.Request.MessageType.Should().Be(MessageType.PKCSReq);
        renewed.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(newKey.ExportSubjectPublicKeyInfo());
        renewed.Certificate.SerialNumber.Should().NotBe(issued.Certificate!.SerialNumber);
    }

    [TestCase(true, EnrollmentStatus.Failed)]
    [TestCase(false, EnrollmentStatus.Issued)]
    public async Task EnrollWithSignerAsync_EcKeyWithAnRsaTransportSigner_IsIssuedOnlyWhereTheAliasAllowsADifferentSignerKey(bool requireSameKey, EnrollmentStatus expected)
    {
        using var server = PipelineServer.Create(o => o.Aliases["ra"].RequireSignerKeyMatchesRequest = requireSameKey);
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=ec-device")) { ChallengePassword = PipelineServer.RaChallenge }
            .Build(ecKey, HashAlgorithmName.SHA256);
        var transport = ScepSigner.CreateSelfSigned(TestPki.CachedRsa(725), csr.Subject, server.Clock.GetUtcNow());

        var result = await client.EnrollWithSignerAsync(info, csr, transport);

        result.Status.Should().Be(expected, result.ToString());
        if (expected == EnrollmentStatus.Issued)
        {
            result.Certificate!.GetECDsaPublicKey().Should().NotBeNull("the certificate is for the EC key, found by its public key");
        }
        else
        {
            result.FailInfo.Should().Be(FailInfo.BadRequest, "RFC 8894 §2.3: the signer's key SHOULD be the requested key");
        }
    }

    [TestCase("scep", "POST")]
    [TestCase("get-only", "GET")]
    public async Task EnrollAsync_MethodFromTheAliasCapabilities_IsTheOneTheServerReceives(string alias, string expected)
    {
        using var server = PipelineServer.Create();
        server.AddEntity("method-device", "code-m");
        var client = server.Client(alias);
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(716);
        var challenge = alias == "scep" ? "code-m" : PipelineServer.RaChallenge;

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=method-device", challenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        client.UsesPost(info).Should().Be(expected == "POST");
        server.Http.Exchanges.Where(e => e.Query.Contains("operation=PKIOperation", StringComparison.Ordinal)).Select(e => e.Method)
            .Should().Equal(expected);
    }

    [Test]
    public async Task EnrollAsync_ForcedPostToAnAliasWithoutPost_IsATransportErrorWith405()
    {
        using var server = PipelineServer.Create();
        var client = server.Client("get-only", method: PkiOperationMethod.Post);
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(717);

        var send = () => client.EnrollAsync(info, PipelineServer.Csr(key, "CN=forced-post", PipelineServer.RaChallenge), key);

        (await send.Should().ThrowAsync<ScepTransportException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.MethodNotAllowed);
    }

    [TestCase("ra", ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase("ra", ContentEncryptionAlgorithm.Aes192Cbc)]
    [TestCase("ra", ContentEncryptionAlgorithm.Aes256Cbc)]
    [TestCase("ra", ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase("legacy", ContentEncryptionAlgorithm.DesCbc)]
    public async Task EnrollAsync_EachContentEncryptionTheAliasAllows_IsIssuedAndAnsweredInThatCipher(string alias, ContentEncryptionAlgorithm encryption)
    {
        using var server = PipelineServer.Create();
        var commonName = "cipher-" + encryption;
        server.AddEntity(commonName, "code-c");
        var client = server.Client(alias, encryption: encryption, policy: encryption == ContentEncryptionAlgorithm.DesCbc ? ScepAlgorithmPolicy.Legacy : null);
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(718);
        var challenge = alias == "ra" ? PipelineServer.RaChallenge : "code-c";

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=" + commonName, challenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Request.Envelope!.ContentEncryptionAlgorithm.Should().Be(encryption);
        result.Reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(encryption, "the server answers in the request's cipher");
    }

    [Test]
    public async Task EnrollAsync_DesToAnAliasWithoutDes_IsAFailedResultWithBadAlg()
    {
        using var server = PipelineServer.Create();
        var client = server.Client("ra", encryption: ContentEncryptionAlgorithm.DesCbc, policy: ScepAlgorithmPolicy.Legacy);
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(719);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=des-device", PipelineServer.RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public async Task SendPkiOperationAsync_PkcsReqResentWithTheSameTransactionId_ReturnsTheSameCertificate()
    {
        using var server = PipelineServer.Create();
        server.AddEntity("resend-device", "code-r");
        var client = server.Client("scep");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(720);
        var csr = PipelineServer.Csr(key, "CN=resend-device", "code-r");
        var first = await client.EnrollAsync(info, csr, key);
        server.Time.Advance(TimeSpan.FromMinutes(2));

        // The reply was lost: the client sends the request again, same transactionID and signer, fresh senderNonce.
        var signer = first.Transaction.Signer;
        var resent = PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
        {
            TransactionId = first.TransactionId,
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = info.CaCertificates.EncryptionCertificate,
            ContentEncryption = client.SelectContentEncryption(info),
            DigestAlgorithm = client.SelectDigest(info),
            SigningTime = server.Clock.GetUtcNow(),
        });
        var reply = await client.SendPkiOperationAsync(info, resent);

        first.Status.Should().Be(EnrollmentStatus.Issued);
        resent.SenderNonce.ToArray().Should().NotEqual(first.Request.SenderNonce.ToArray());
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var again = reply.Decrypt(signer.Certificate, signer.Key, client.Options.AlgorithmPolicy).CertificateSet!.FindByPublicKey(csr.PublicKey);
        again!.RawData.Should().Equal(first.Certificate!.RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task PollOnceAsync_AfterTheCertificateWasIssued_ReturnsTheSameCertificate()
    {
        using var server = PipelineServer.Create();
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(721);
        var first = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=poll-after-issue", PipelineServer.RaChallenge), key);

        var poll = await client.PollOnceAsync(info, first.Transaction);

        poll.Status.Should().Be(EnrollmentStatus.Issued, poll.ToString());
        poll.Certificate!.RawData.Should().Equal(first.Certificate!.RawData);
        poll.Request.MessageType.Should().Be(MessageType.CertPoll);
    }
}
