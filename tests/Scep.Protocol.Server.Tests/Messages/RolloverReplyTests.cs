using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Org.BouncyCastle.Cms;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure.Bc;

namespace Scep.Protocol.Server.Tests.Messages;

/// <summary>
/// RFC 8894 §4.7: during a rollover a client that has the next CA (from GetNextCACert) envelopes its requests to it and
/// trusts replies signed by it. Every reply to such a request (issued, re-sent, polled, refused, GetCert, GetCRL, renewal)
/// is signed with the next CA's key and carries the next CA's certificate; requests to the current CA are answered by
/// the current CA. The harness already checks the signer of every reply; these tests check the signer certificate
/// itself, the certificates carried, and verify with BouncyCastle given only the next CA.
/// </summary>
public class RolloverReplyTests
{
    private static readonly Lazy<TestCredential> NextCa = new(() => TestPki.CreateCa("CN=Scep Test CA G3,O=Scep.Protocol Tests", TestPki.CachedRsa(903)));

    private static ServerHarness RolloverServer(Action<ScepServerOptions>? configure = null)
    {
        ServerHarness.NextCaKey = NextCa.Value.Key;
        var current = TestPki.Ca;
        return ServerHarness.Create(configure, credentials: new ScepCaCredentials
        {
            CaCertificate = current.Certificate,
            DecryptionCertificate = current.Certificate,
            DecryptionKey = current.Rsa,
            SigningCertificate = current.Certificate,
            SigningKey = current.Key,
            Next = ScepCaCredentials.ForCa(NextCa.Value.Certificate, NextCa.Value.Rsa),
        });
    }

    private static EnrollingClient NextCaClient(ServerHarness server, string commonName, string code, int keySlot) =>
        server.NewClient("CN=" + commonName, code, keySlot, recipient: NextCa.Value.Certificate);

    /// <summary>BouncyCastle, given only the next CA's certificate, finds the signer and verifies the signature.</summary>
    private static bool VerifiesWithOnly(PkiMessage reply, X509Certificate2 ca)
    {
        var signed = new CmsSignedData(reply.RawData.ToArray());
        var signer = signed.GetSignerInfos().GetSigners().Single();
        var bcCa = BcConvert.ToBc(ca);
        return signer.SignerID.Match(bcCa) && signer.Verify(bcCa);
    }

    [Test]
    public async Task PkcsReq_EnvelopedToTheNextCa_IsSignedByTheNextCaAndCarriesItsCertificate()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-1", "code-1");
        var client = NextCaClient(server, "router-1", "code-1", 50);

        var reply = await client.EnrollAsync();

        reply.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        VerifiesWithOnly(reply, NextCa.Value.Certificate).Should().BeTrue();
        VerifiesWithOnly(reply, TestPki.Ca.Certificate).Should().BeFalse("the current CA did not sign it");
        var content = reply.Decrypt(client.Signer.Certificate, client.Signer.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
        var thumbprints = content.Certificates.Select(c => c.Thumbprint).ToList();
        thumbprints.Should().Contain(NextCa.Value.Certificate.Thumbprint, "the issuing CA follows the certificate");
        thumbprints.Should().NotContain(TestPki.Ca.Certificate.Thumbprint);
    }

    [Test]
    public async Task PkcsReq_EnvelopedToTheNextCa_ReSent_IsAnsweredFromTheRecordSignedByTheNextCa()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-2", "code-2");
        var client = NextCaClient(server, "router-2", "code-2", 51);
        var first = client.IssuedFrom(await client.EnrollAsync());

        var again = await client.EnrollAsync();

        again.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        client.IssuedFrom(again).RawData.Should().Equal(first.RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task CertPoll_EnvelopedToTheNextCa_OfAnApprovedRequest_IsSignedByTheNextCa()
    {
        using var server = RolloverServer();
        server.Authority.RequireApproval = true;
        server.Entities.Add("router-3", "code-3");
        var client = NextCaClient(server, "router-3", "code-3", 52);
        var pending = await client.EnrollAsync();
        pending.Status.Should().Be(PkiStatus.Pending);
        pending.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        server.Authority.Approve(server.Authority.PendingReferences.Single());

        var reply = await server.SendAsync(client.Poll(NextCa.Value.Certificate));

        reply.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        client.IssuedFrom(reply).Issuer.Should().Be(NextCa.Value.Certificate.Subject);
        VerifiesWithOnly(reply, NextCa.Value.Certificate).Should().BeTrue();
    }

    [Test]
    public async Task Refusal_OfARequestEnvelopedToTheNextCa_IsSignedByTheNextCa()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-4", "code-4");

        var reply = await NextCaClient(server, "router-4", "wrong", 53).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        VerifiesWithOnly(reply, NextCa.Value.Certificate).Should().BeTrue();
    }

    [Test]
    public async Task GetCertAndGetCrl_EnvelopedToTheNextCa_AreSignedByTheNextCa()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-5", "code-5");
        var client = NextCaClient(server, "router-5", "code-5", 54);
        var issued = new TestCredential(client.IssuedFrom(await client.EnrollAsync()), client.Signer.Key);
        var id = IssuerAndSerialNumber.FromCertificate(issued.Certificate);

        var getCert = await server.SendAsync(PkiMessage.CreateGetCert(id, server.Parameters(issued, recipient: NextCa.Value.Certificate)));
        var getCrl = await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued, recipient: NextCa.Value.Certificate)));

        getCert.Status.Should().Be(PkiStatus.Success, getCert.FailInfoText);
        getCert.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        getCrl.Status.Should().Be(PkiStatus.Success, getCrl.FailInfoText);
        getCrl.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        VerifiesWithOnly(getCrl, NextCa.Value.Certificate).Should().BeTrue();
    }

    [Test]
    public async Task RenewalReq_EnvelopedToTheNextCa_IsIssuedAndSignedByTheNextCa()
    {
        using var server = RolloverServer(o => o.Aliases["scep"].AllowRenewal = true);
        var old = await server.IssueAsync("router-6", 55);
        server.Advance(TimeSpan.FromDays(200));
        var csr = Scenario.Csr("CN=router-6", TestPki.CachedRsa(56), challenge: null);

        var reply = await server.SendAsync(PkiMessage.CreateRenewalReq(csr, server.Parameters(old, recipient: NextCa.Value.Certificate)));

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.SignerCertificate!.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
        var renewed = reply.Decrypt(old.Certificate, old.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(csr.PublicKey)!;
        renewed.Issuer.Should().Be(NextCa.Value.Certificate.Subject);
    }

    [Test]
    public async Task PkcsReq_EnvelopedToTheCurrentCa_DuringARollover_IsSignedByTheCurrentCa()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-7", "code-7");

        var reply = await server.NewClient("CN=router-7", "code-7", 57).EnrollAsync();

        reply.SignerCertificate!.RawData.Should().Equal(TestPki.Ca.Certificate.RawData);
        VerifiesWithOnly(reply, TestPki.Ca.Certificate).Should().BeTrue();
    }
}
