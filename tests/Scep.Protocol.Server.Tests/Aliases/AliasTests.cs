using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Aliases;

/// <summary>Issue point 1: several aliases at once, each option observable in what the server does.</summary>
public class AliasTests
{
    private static ScepAliasOptions Ra(Action<ScepAliasOptions>? configure = null)
    {
        var options = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "ra-secret" };
        configure?.Invoke(options);
        return options;
    }

    private static async Task<DegenerateCertificateSet> EnrolledSetAsync(ServerHarness server, string alias, int keySlot)
    {
        var client = server.NewClient("CN=device-" + keySlot, "ra-secret", keySlot);
        var reply = await client.EnrollAsync(alias);
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(client.Signer.Certificate, client.Signer.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
    }

    [Test]
    public async Task SeveralAliases_WithDifferentOptions_EachAnswersWithItsOwn()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["with-ca"] = Ra(a => a.AllowRenewal = true);
            o.Aliases["without-ca"] = Ra(a => a.IncludeCaCertificateInReply = false);
        });

        var withCa = await EnrolledSetAsync(server, "with-ca", 20);
        var withoutCa = await EnrolledSetAsync(server, "without-ca", 21);
        var capsWith = await server.GetAsync("operation=GetCACaps", "with-ca");
        var capsWithout = await server.GetAsync("operation=GetCACaps", "without-ca");

        withCa.Certificates.Select(c => c.Subject).Should().Equal("CN=device-20", server.Ca.Certificate.Subject);
        withoutCa.Certificates.Select(c => c.Subject).Should().Equal("CN=device-21");
        Encoding.ASCII.GetString(capsWith.Body.Span).Should().Contain("Renewal");
        Encoding.ASCII.GetString(capsWithout.Body.Span).Should().NotContain("Renewal");
    }

    [TestCase("GET", "operation=GetCACaps")]
    [TestCase("GET", "operation=GetCACert")]
    [TestCase("POST", "operation=PKIOperation")]
    public async Task UnknownAlias_AnyOperation_Returns404(string method, string query)
    {
        using var server = ServerHarness.Create();

        var response = await server.Handler.HandleAsync(new ScepHttpRequest { Method = method, Alias = "nope", QueryString = query, Body = new byte[] { 0x30, 0x00 } }, default);

        response.StatusCode.Should().Be(404);
        Encoding.UTF8.GetString(response.Body.Span).Should().Contain("nope");
    }

    [Test]
    public async Task AliasNames_AreCaseInsensitive()
    {
        using var server = ServerHarness.Create();

        (await server.GetAsync("operation=GetCACaps", "RA")).StatusCode.Should().Be(200);
    }

    [Test]
    public async Task NoAliasInTheUrl_UsesTheDefaultAlias()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.DefaultAlias = "ra";
            o.Aliases["ra"].AllowRenewal = true;
        });

        var caps = Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", alias: null)).Body.Span);

        caps.Should().Contain("Renewal", "the default alias 'ra' allows renewal and 'scep' does not");
    }

    [TestCase(true, 2)]
    [TestCase(false, 1)]
    public async Task IncludeCaCertificateInReply_DecidesWhetherTheCaCertificateFollowsTheIssuedOne(bool include, int expectedCount)
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].IncludeCaCertificateInReply = include);

        var set = await EnrolledSetAsync(server, "ra", 22);

        set.Certificates.Should().HaveCount(expectedCount);
        set.Certificates[0].Subject.Should().Be("CN=device-22", "the issued certificate comes first");
        set.Certificates.Any(c => c.RawData.AsSpan().SequenceEqual(server.Ca.Certificate.RawData)).Should().Be(include);
    }

    [TestCase(ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase(ContentEncryptionAlgorithm.DesCbc)]
    [TestCase(ContentEncryptionAlgorithm.Aes256Cbc)]
    public async Task EncryptionAlgorithmNotAllowedOnTheAlias_IsFailureBadAlgInHttp200(ContentEncryptionAlgorithm algorithm)
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].EncryptionAlgorithms.Clear();
            o.Aliases["ra"].EncryptionAlgorithms.Add(ContentEncryptionAlgorithm.Aes128Cbc);
        });
        var client = server.NewClient("CN=device-1", "ra-secret", encryption: algorithm);

        var reply = await client.EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadAlg);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task EncryptionAlgorithmAllowedOnTheAlias_IsAccepted()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].EncryptionAlgorithms.Clear();
            o.Aliases["ra"].EncryptionAlgorithms.Add(ContentEncryptionAlgorithm.Aes256Cbc);
        });

        var reply = await server.NewClient("CN=device-1", "ra-secret", encryption: ContentEncryptionAlgorithm.Aes256Cbc).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success);
    }

    [TestCase("SHA1")]
    [TestCase("MD5")]
    [TestCase("SHA512")]
    public async Task DigestNotAllowedOnTheAlias_IsFailureBadAlgInHttp200(string digest)
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].DigestAlgorithms.Clear();
            o.Aliases["ra"].DigestAlgorithms.Add(ScepDigest.Sha256);
        });
        var client = server.NewClient("CN=device-1", "ra-secret", digest: new HashAlgorithmName(digest));

        var reply = await client.EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadAlg);
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA256, "a refused digest is not mirrored");
    }

    [Test]
    public async Task ForcedReplyDigestMd5_SignsEveryReplyWithMd5_OtherAliasesMirrorTheRequest()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["pix"] = Ra(a => a.ForcedReplyDigest = ScepDigest.Md5);
        });

        var forced = await server.NewClient("CN=device-1", "ra-secret", keySlot: 10).EnrollAsync("pix");
        var refused = await server.NewClient("CN=device-2", "wrong", keySlot: 11).EnrollAsync("pix");
        var mirrored = await server.NewClient("CN=device-3", "ra-secret", keySlot: 12).EnrollAsync("ra");

        forced.Status.Should().Be(PkiStatus.Success);
        forced.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
        refused.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5, "FAILURE replies use the forced digest too");
        mirrored.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA256);
    }

    [TestCase("MobileIronSCEP")]
    [TestCase("mobileironscep")]
    [TestCase("ManagementCA")]
    public async Task CaIdentifiers_OnAStrictAlias_AreAcceptedForGetCaCertAndGetCaCaps(string identifier)
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].StrictCaIdentifier = true;
            o.Aliases["ra"].CaIdentifiers.Add("MobileIronSCEP");
            o.Aliases["ra"].CaIdentifiers.Add("ManagementCA");
        });

        var cert = await server.GetAsync("operation=GetCACert&message=" + identifier, "ra");
        var caps = await server.GetAsync("operation=GetCACaps&message=" + identifier, "ra");

        cert.StatusCode.Should().Be(200);
        cert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        caps.StatusCode.Should().Be(200);
    }

    [TestCase(true, 404)]
    [TestCase(false, 200)]
    public async Task StrictCaIdentifier_DecidesWhetherAnUnknownCaNameIs404(bool strict, int expectedStatus)
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].StrictCaIdentifier = strict);

        var cert = await server.GetAsync("operation=GetCACert&message=SomeOtherCA", "ra");
        var caps = await server.GetAsync("operation=GetCACaps&message=SomeOtherCA", "ra");

        cert.StatusCode.Should().Be(expectedStatus);
        caps.StatusCode.Should().Be(expectedStatus);
    }

    [Test]
    public async Task GetCaCert_NamingTheCaOfAnotherAlias_ReturnsThatCa()
    {
        var other = TestPki.CreateCa("CN=Other CA", TestPki.CachedRsa(900));
        using var server = ServerHarness.Create(
            o => o.Aliases["other"] = Ra(a => a.CaName = "OtherCA"),
            b => b.AddCredentials("OtherCA", ScepCaCredentials.ForCa(other.Certificate, other.Rsa)));

        var response = await server.GetAsync("operation=GetCACert&message=OtherCA", "ra");

        response.Body.ToArray().Should().Equal(other.Certificate.RawData);
    }

    [Test]
    public async Task AliasesWithDifferentCaNames_IssueFromTheirOwnCa()
    {
        var other = TestPki.CreateCa("CN=Other CA", TestPki.CachedRsa(900));
        using var server = ServerHarness.Create(
            o => o.Aliases["other"] = Ra(a => a.CaName = "OtherCA"),
            b => b.AddCredentials("OtherCA", ScepCaCredentials.ForCa(other.Certificate, other.Rsa)));
        server.Authority.AddIssuer(other.Certificate, other.Key);
        var client = server.NewClient("CN=device-1", "ra-secret", recipient: other.Certificate);

        var response = await server.PostAsync(client.PkcsReq().RawData, "other");

        var reply = PkiMessage.Decode(response.Body);
        reply.VerifySignature(ScepAlgorithmPolicy.Default, [other.Certificate]).RawData.Should().Equal(other.Certificate.RawData);
        client.IssuedFrom(reply).Issuer.Should().Be("CN=Other CA");
    }

    [Test]
    public async Task SigningTimeTolerance_RefusesARequestSignedTooLongAgoWithBadTime()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].SigningTimeTolerance = TimeSpan.FromHours(1));
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();
        server.Advance(TimeSpan.FromHours(2));

        var reply = await server.SendAsync(request, "ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadTime);
    }

    [Test]
    public async Task SigningTimeTolerance_AcceptsARequestWithinIt()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].SigningTimeTolerance = TimeSpan.FromHours(1));
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();
        server.Advance(TimeSpan.FromMinutes(59));

        (await server.SendAsync(request, "ra")).Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task SigningTimeToleranceNull_IgnoresAnyClockSkew()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].SigningTimeTolerance = null);
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();
        server.Advance(TimeSpan.FromDays(400));

        (await server.SendAsync(request, "ra")).Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task MaxMessageSize_IsEnforcedWith413ForPostAnd414ForGet()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].MaxMessageSize = 1024);
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();
        request.RawData.Length.Should().BeGreaterThan(1024);

        var post = await server.PostAsync(request.RawData, "ra");
        var get = await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), "ra");

        post.StatusCode.Should().Be(413);
        get.StatusCode.Should().Be(414);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task AllowGetFalse_RefusesPkiOperationByGetWith405_ButPostWorks()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowGet = false);
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();

        var get = await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), "ra");
        var post = await server.SendAsync(request, "ra");

        get.StatusCode.Should().Be(405);
        post.Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task AllowPostFalse_RefusesPostWith405_NoLongerAdvertisesIt_ButGetWorks()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowPost = false);
        var request = server.NewClient("CN=device-1", "ra-secret").PkcsReq();

        var post = await server.PostAsync(request.RawData, "ra");
        var get = await server.SendAsync(request, "ra", usePost: false);
        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "ra")).Body.Span));

        post.StatusCode.Should().Be(405);
        get.Status.Should().Be(PkiStatus.Success);
        caps.Supports(CaCapability.PostPkiOperation).Should().BeFalse();
        caps.Supports(CaCapability.ScepStandard).Should().BeFalse();
    }

    [Test]
    public async Task AllowGetCertAndGetCrlFalse_AnswersGetCertAndGetCrlWithBadRequest()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].AllowGetCertAndGetCrl = false);
        var issued = await server.IssueAsync("device-1", 30);
        var id = IssuerAndSerialNumber.FromCertificate(issued.Certificate);

        var getCert = await server.SendAsync(PkiMessage.CreateGetCert(id, server.Parameters(issued)), "ra");
        var getCrl = await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued)), "ra");
        var enabled = await server.SendAsync(PkiMessage.CreateGetCert(id, server.Parameters(issued)), "scep");

        getCert.FailInfo.Should().Be(FailInfo.BadRequest);
        getCrl.FailInfo.Should().Be(FailInfo.BadRequest);
        enabled.Status.Should().Be(PkiStatus.Success, "the other alias keeps the default");
    }

    [Test]
    public async Task AllowPendingFalse_TurnsTheAuthoritysPendingIntoFailure_OnThatAliasOnly()
    {
        using var server = ServerHarness.Create(o => o.Aliases["no-pending"] = Ra(a => a.AllowPending = false));
        server.Authority.RequireApproval = true;

        var refused = await server.NewClient("CN=device-1", "ra-secret", keySlot: 10).EnrollAsync("no-pending");
        var pending = await server.NewClient("CN=device-2", "ra-secret", keySlot: 11).EnrollAsync("ra");

        refused.Status.Should().Be(PkiStatus.Failure);
        refused.FailInfo.Should().Be(FailInfo.BadRequest);
        pending.Status.Should().Be(PkiStatus.Pending);
    }
}
