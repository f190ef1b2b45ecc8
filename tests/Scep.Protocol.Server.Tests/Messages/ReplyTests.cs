using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Messages;

/// <summary>Issue point 9: how replies are encrypted and signed, separate RA certificates, and chain/root inclusion.</summary>
public class ReplyTests
{
    private static readonly Lazy<(TestCredential Ca, TestCredential Signing, TestCredential Encryption)> RaPki = new(() =>
    {
        var ca = TestPki.CreateCa("CN=Scep RA Test CA", TestPki.CachedRsa(906));
        var signing = TestPki.CreateRa(ca, "CN=Scep RA Signing", X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(907));
        var encryption = TestPki.CreateRa(ca, "CN=Scep RA Encryption", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(908));
        return (ca, signing, encryption);
    });

    private static readonly Lazy<(TestCredential Root, TestCredential Intermediate, TestCredential Issuing)> ChainPki = new(() =>
    {
        var root = TestPki.CreateCa("CN=Scep Test Root", TestPki.CachedRsa(909));
        var intermediate = TestPki.CreateCa("CN=Scep Test Intermediate", TestPki.CachedRsa(910), issuer: root);
        var issuing = TestPki.CreateCa("CN=Scep Test Issuing CA", TestPki.CachedRsa(911), issuer: intermediate);
        return (root, intermediate, issuing);
    });

    private static ServerHarness RaServer()
    {
        var (ca, signing, encryption) = RaPki.Value;
        var credentials = new ScepCaCredentials
        {
            CaCertificate = ca.Certificate,
            DecryptionCertificate = encryption.Certificate,
            DecryptionKey = encryption.Rsa,
            SigningCertificate = signing.Certificate,
            SigningKey = signing.Key,
        };
        return ServerHarness.Create(ca: ca, credentials: credentials);
    }

    private static ServerHarness ChainServer(Action<ScepAliasOptions> configure)
    {
        var (root, intermediate, issuing) = ChainPki.Value;
        return ServerHarness.Create(
            o => configure(o.Aliases["ra"]),
            ca: issuing,
            credentials: ScepCaCredentials.ForCa(issuing.Certificate, issuing.Rsa, [intermediate.Certificate, root.Certificate]));
    }

    [TestCase(ContentEncryptionAlgorithm.DesCbc)]
    [TestCase(ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase(ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase(ContentEncryptionAlgorithm.Aes192Cbc)]
    [TestCase(ContentEncryptionAlgorithm.Aes256Cbc)]
    public async Task Success_IsEncryptedWithTheRequestsContentEncryption(ContentEncryptionAlgorithm algorithm)
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowAlso(ContentEncryptionAlgorithm.DesCbc));
        var client = server.NewClient("CN=device-1", "ra-secret", encryption: algorithm);

        var reply = await client.EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(algorithm);
        client.IssuedFrom(reply).Should().NotBeNull();
    }

    [TestCase("SHA1")]
    [TestCase("SHA256")]
    [TestCase("SHA384")]
    [TestCase("SHA512")]
    [TestCase("MD5")]
    public async Task Reply_IsSignedWithTheRequestsDigest_WhenTheAliasAllowsIt(string digest)
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowAlso(ScepDigest.Md5));
        var name = new HashAlgorithmName(digest);

        var reply = await server.NewClient("CN=device-1", "ra-secret", digest: name).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.DigestAlgorithm.Should().Be(name);
    }

    [Test]
    public async Task Failure_ToARequestWithARefusedDigest_IsSignedWithADigestTheAliasAllows()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].DigestAlgorithms.Add(ScepDigest.Sha512);
        });

        var reply = await server.NewClient("CN=device-1", "ra-secret", digest: HashAlgorithmName.SHA1).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadAlg);
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA512, "the alias accepts only SHA-512, so its replies use it too");
    }

    [TestCase("SHA1", ScepDigest.Sha512)]
    [TestCase("SHA512", ScepDigest.Sha1)]
    public async Task Reply_WithAForcedDigest_UsesItWhateverTheRequestUsed(string requestDigest, ScepDigest forced)
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].ForcedReplyDigest = forced);

        var reply = await server.NewClient("CN=device-1", "ra-secret", digest: new HashAlgorithmName(requestDigest)).EnrollAsync("ra");

        reply.DigestAlgorithm.Should().Be(forced.ToHashAlgorithmName());
    }

    [Test]
    public async Task Pending_AndFailure_CarryNoEnvelope_AndEchoTheNonce()
    {
        using var server = ServerHarness.Create();
        server.Authority.RequireApproval = true;
        var pendingRequest = server.NewClient("CN=device-1", "ra-secret", keySlot: 10).PkcsReq();
        var failedRequest = server.NewClient("CN=device-2", "wrong", keySlot: 11).PkcsReq();

        var pending = await server.SendAsync(pendingRequest, "ra");
        var failure = await server.SendAsync(failedRequest, "ra");

        pending.Status.Should().Be(PkiStatus.Pending);
        pending.Content.IsEmpty.Should().BeTrue();
        failure.Content.IsEmpty.Should().BeTrue();
        pending.RecipientNonce.ToArray().Should().Equal(pendingRequest.SenderNonce.ToArray());
        pending.SenderNonce.ToArray().Should().NotEqual(pendingRequest.SenderNonce.ToArray(), "the server's nonce is its own");
        pending.SigningTime.Should().Be(server.Now);
    }

    [Test]
    public async Task RaCredentials_GetCaCert_ListsTheRaCertificatesFirstThenTheCa()
    {
        using var server = RaServer();
        var (ca, signing, encryption) = RaPki.Value;

        var response = await server.GetAsync("operation=GetCACert");

        response.ContentType.Should().Be(ScepContentTypes.CaRaCertificates);
        var decoded = CaCertificates.Decode(response.Body);
        decoded.Certificates.Select(c => c.Subject).Should().Equal(encryption.Certificate.Subject, signing.Certificate.Subject, ca.Certificate.Subject);
        decoded.EncryptionCertificate.RawData.Should().Equal(encryption.Certificate.RawData);
        decoded.SigningCertificate.RawData.Should().Equal(signing.Certificate.RawData);
        decoded.IssuerCertificate.RawData.Should().Equal(ca.Certificate.RawData);
        decoded.HasRegistrationAuthority.Should().BeTrue();
    }

    [Test]
    public async Task RaCredentials_RequestEncryptedToTheRaEncryptionCertificate_IsIssuedByTheCaAndSignedByTheRa()
    {
        using var server = RaServer();
        var (ca, signing, encryption) = RaPki.Value;
        var advertised = CaCertificates.Decode((await server.GetAsync("operation=GetCACert")).Body);
        var client = server.NewClient("CN=device-1", "ra-secret", recipient: advertised.EncryptionCertificate);

        var response = await server.PostAsync(client.PkcsReq().RawData, "ra");

        var reply = PkiMessage.Decode(response.Body);
        reply.VerifySignature(ScepAlgorithmPolicy.Default, advertised.Certificates).RawData.Should().Equal(signing.Certificate.RawData);
        reply.SignerCertificate!.RawData.Should().Equal(signing.Certificate.RawData);
        var issued = client.IssuedFrom(reply);
        issued.Issuer.Should().Be(ca.Certificate.Subject);
        advertised.EncryptionCertificate.RawData.Should().Equal(encryption.Certificate.RawData, "the client encrypted to the RA encryption certificate");
    }

    [Test]
    public async Task RaCredentials_RequestEncryptedToTheCaCertificate_IsBadMessageCheck()
    {
        using var server = RaServer();

        var reply = await server.NewClient("CN=device-1", "ra-secret", recipient: RaPki.Value.Ca.Certificate).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }

    [Test]
    public async Task RaCredentials_SuccessSet_HoldsTheIssuedCertificateAndTheCa_NotTheRaCertificates()
    {
        using var server = RaServer();
        var client = server.NewClient("CN=device-1", "ra-secret");

        var reply = await client.EnrollAsync("ra");

        var set = reply.Decrypt(client.Signer.Certificate, client.Signer.Rsa).CertificateSet!;
        set.Certificates.Select(c => c.Subject).Should().Equal("CN=device-1", RaPki.Value.Ca.Certificate.Subject);
    }

    private static IEnumerable<TestCaseData> ChainCases()
    {
        yield return new TestCaseData(true, false, new[] { "Issuing", "Intermediate" }).SetName("ChainWithoutRoot_IsTheDefault_InGetCaCertAndCertRep");
        yield return new TestCaseData(true, true, new[] { "Issuing", "Intermediate", "Root" }).SetName("ChainWithRoot_AddsTheRoot_InGetCaCertAndCertRep");
        yield return new TestCaseData(false, false, new[] { "Issuing" }).SetName("NoChain_LeavesOnlyTheIssuingCa_InGetCaCertAndCertRep");
        yield return new TestCaseData(false, true, new[] { "Issuing" }).SetName("NoChain_IgnoresIncludeRoot_InGetCaCertAndCertRep");
    }

    [TestCaseSource(nameof(ChainCases))]
    public async Task IncludeChainAndRoot_ShapeGetCaCertAndTheCertRepSet(bool includeChain, bool includeRoot, string[] expected)
    {
        using var server = ChainServer(a =>
        {
            a.IncludeChainInReplies = includeChain;
            a.IncludeRootInReplies = includeRoot;
        });
        var client = server.NewClient("CN=device-1", "ra-secret");

        var getCaCert = CaCertificates.Decode((await server.GetAsync("operation=GetCACert", "ra")).Body);
        var reply = await client.EnrollAsync("ra");

        var names = expected.Select(n => n switch
        {
            "Issuing" => ChainPki.Value.Issuing.Certificate.Subject,
            "Intermediate" => ChainPki.Value.Intermediate.Certificate.Subject,
            _ => ChainPki.Value.Root.Certificate.Subject,
        }).ToArray();
        getCaCert.Certificates.Select(c => c.Subject).Should().Equal(names);
        getCaCert.IssuerCertificate.Subject.Should().Be(ChainPki.Value.Issuing.Certificate.Subject);
        var set = reply.Decrypt(client.Signer.Certificate, client.Signer.Rsa).CertificateSet!;
        set.Certificates.Select(c => c.Subject).Should().Equal(["CN=device-1", .. names]);
    }

    [Test]
    public async Task GetCaCertChain_ReturnsTheWholeChain()
    {
        using var server = ChainServer(_ => { });

        var response = await server.GetAsync("operation=GetCACertChain", "ra");

        response.ContentType.Should().Be(ScepContentTypes.CaRaCertificateChain);
        DegenerateCertificateSet.Decode(response.Body).Certificates.Should().HaveCount(3);
    }
}
