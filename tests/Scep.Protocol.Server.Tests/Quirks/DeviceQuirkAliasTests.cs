using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Quirks;

/// <summary>
/// An alias that lists a device in <see cref="ScepAliasOptions.Devices"/> serves that device end to end (through the
/// pipeline), still serves the defaults, refuses unknown names at start-up, and reads the list from configuration.
/// </summary>
public class DeviceQuirkAliasTests
{
    private static ServerHarness WithDevice(params string[] devices) => ServerHarness.Create(o =>
    {
        var alias = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "ra-secret" };
        foreach (var device in devices)
        {
            alias.Devices.Add(device);
        }

        o.Aliases["device"] = alias;
    });

    private static DegenerateCertificateSet SetOf(PkiMessage reply, TestCredential requester)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(requester.Certificate, requester.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
    }

    /// <summary>A PKCSReq from <paramref name="signer"/> for <paramref name="csr"/>, signed at <paramref name="signingTime"/>.</summary>
    private static PkiMessage PkcsReq(ServerHarness server, TestCredential signer, Pkcs10Request csr, DateTimeOffset signingTime) =>
        PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = server.Credentials.DecryptionCertificate,
            ContentEncryption = ContentEncryptionAlgorithm.Aes128Cbc,
            DigestAlgorithm = HashAlgorithmName.SHA256,
            SigningTime = signingTime,
        });

    [Test]
    public async Task CiscoPix_DesCbcAndMd5PkcsReq_IsIssued_WithAnMd5Reply()
    {
        using var server = WithDevice("CiscoPix");
        var client = server.NewClient("CN=pix-1", "ra-secret", encryption: ContentEncryptionAlgorithm.DesCbc, digest: HashAlgorithmName.MD5);

        var reply = await client.EnrollAsync("device");

        client.IssuedFrom(reply).Subject.Should().Be("CN=pix-1");
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
    }

    [Test]
    public async Task CiscoPix_DesCbcAndMd5PkcsReq_WithoutTheQuirk_IsRefusedBadAlg()
    {
        using var server = WithDevice();
        var client = server.NewClient("CN=pix-1", "ra-secret", encryption: ContentEncryptionAlgorithm.DesCbc, digest: HashAlgorithmName.MD5);

        var reply = await client.EnrollAsync("device");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public async Task CiscoPix_KeepsTheDefaults_Aes128AndSha256AreStillIssued_AndAnsweredWithMd5()
    {
        using var server = WithDevice("CiscoPix");
        var client = server.NewClient("CN=pix-2", "ra-secret", encryption: ContentEncryptionAlgorithm.Aes128Cbc, digest: HashAlgorithmName.SHA256);

        var reply = await client.EnrollAsync("device");

        client.IssuedFrom(reply).Subject.Should().Be("CN=pix-2");
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5, "PIX needs MD5 replies whatever the request used");
        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "device")).Body.Span));
        caps.Supports(CaCapability.Aes).Should().BeTrue();
        caps.Supports(CaCapability.Sha256).Should().BeTrue();
    }

    [Test]
    public async Task Juniper_SuccessReply_CarriesOnlyTheIssuedCertificate()
    {
        using var server = WithDevice("Juniper");
        var juniper = server.NewClient("CN=srx-1", "ra-secret", keySlot: 10);
        var other = server.NewClient("CN=other-1", "ra-secret", keySlot: 11);

        var set = SetOf(await juniper.EnrollAsync("device"), juniper.Signer);
        var otherSet = SetOf(await other.EnrollAsync("ra"), other.Signer);

        set.Certificates.Should().ContainSingle().Which.Subject.Should().Be("CN=srx-1");
        otherSet.Certificates.Select(c => c.Thumbprint).Should().Contain(server.Ca.Certificate.Thumbprint, "an alias without the quirk sends the CA certificate along");
    }

    [Test]
    public async Task MobileIron_WithStrictCaIdentifier_GetCaCertForMobileIronScep_IsAnswered()
    {
        using var server = ServerHarness.Create(o =>
            o.Aliases["mdm"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "ra-secret", StrictCaIdentifier = true, Devices = { "MobileIron" } });
        // Without the quirk anywhere on the server (any alias's identifiers name its CA for every alias).
        using var plain = ServerHarness.Create(o =>
            o.Aliases["mdm"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "ra-secret", StrictCaIdentifier = true });

        var answered = await server.GetAsync("operation=GetCACert&message=MobileIronSCEP", "mdm");
        var caps = await server.GetAsync("operation=GetCACaps&message=MobileIronSCEP", "mdm");
        var withoutQuirk = await plain.GetAsync("operation=GetCACert&message=MobileIronSCEP", "mdm");

        answered.StatusCode.Should().Be(200);
        answered.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        caps.StatusCode.Should().Be(200);
        withoutQuirk.StatusCode.Should().Be(404, "a strict alias without the quirk does not know the name");
    }

    [Test]
    public async Task IvantiEpmmProxy_PkcsReqWhoseCsrKeyDiffersFromTheSigners_IsIssued()
    {
        using var server = WithDevice("IvantiEpmmProxy");
        var proxy = TestPki.CreateSelfSigned("CN=epmm-proxy", TestPki.CachedRsa(20));
        var csr = Scenario.Csr("CN=device-behind-proxy", TestPki.CachedRsa(21), "ra-secret");
        var client = new EnrollingClient(server, proxy, csr, Scenario.RequestParameters(proxy, server.Credentials.DecryptionCertificate));

        var issued = client.IssuedFrom(await client.EnrollAsync("device"));

        issued.Subject.Should().Be("CN=device-behind-proxy");
        issued.PublicKey.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo().Should().Equal(TestPki.CachedRsa(21).ExportSubjectPublicKeyInfo());
    }

    [Test]
    public async Task IvantiEpmmProxy_WithoutTheQuirk_ADifferentCsrKeyIsRefused()
    {
        using var server = WithDevice();
        var proxy = TestPki.CreateSelfSigned("CN=epmm-proxy", TestPki.CachedRsa(20));
        var csr = Scenario.Csr("CN=device-behind-proxy", TestPki.CachedRsa(21), "ra-secret");
        var client = new EnrollingClient(server, proxy, csr, Scenario.RequestParameters(proxy, server.Credentials.DecryptionCertificate));

        var reply = await client.EnrollAsync("device");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [TestCase(-5 * 365)]
    [TestCase(3 * 365)]
    public async Task NoRealTimeClock_ASigningTimeYearsOff_IsIssued(int days)
    {
        using var server = WithDevice("NoRealTimeClock");
        var signer = TestPki.CreateSelfSigned("CN=router-1", TestPki.CachedRsa(22));
        var csr = Scenario.Csr("CN=router-1", TestPki.CachedRsa(22), "ra-secret");
        var request = PkcsReq(server, signer, csr, server.Now.AddDays(days));

        var reply = await server.SendAsync(request, "device");

        SetOf(reply, signer).FindByPublicKey(csr.PublicKey)!.Subject.Should().Be("CN=router-1");
    }

    [Test]
    public async Task NoRealTimeClock_WithoutTheQuirk_ASigningTimeYearsOffIsRefusedBadTime()
    {
        using var server = WithDevice();
        var signer = TestPki.CreateSelfSigned("CN=router-1", TestPki.CachedRsa(22));
        var csr = Scenario.Csr("CN=router-1", TestPki.CachedRsa(22), "ra-secret");

        var reply = await server.SendAsync(PkcsReq(server, signer, csr, server.Now.AddDays(-5 * 365)), "device");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadTime);
    }

    [Test]
    public void Validate_AnUnknownDeviceName_FailsAtStartUp_NamingTheSettingAndTheKnownNames()
    {
        var services = new ServiceCollection();
        services.AddScepServer(o => o.Aliases["scep"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "secret", Devices = { "CiscoPx" } })
            .AddEnrollmentAuthority(new InMemoryEnrollmentAuthority())
            .AddCredentials("default", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa));
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<ScepRequestHandler>();

        var message = resolve.Should().Throw<OptionsValidationException>().Which.Message;
        message.Should().Contain("Scep:Aliases:scep:Devices").And.Contain("'CiscoPx'");
        foreach (var known in DeviceQuirks.All.Where(q => q.IsSetting))
        {
            message.Should().Contain(known.Name);
        }

        foreach (var alwaysOn in DeviceQuirks.All.Where(q => !q.IsSetting))
        {
            message.Should().NotContain(alwaysOn.Name, "an always-on quirk is not a name an alias can list");
        }
    }

    [Test]
    public void Validate_DeviceNamesInAnyCase_Pass_AndAreApplied()
    {
        var services = new ServiceCollection();
        services.AddScepServer(o => o.Aliases["scep"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "secret", Devices = { "ciscopix", "JUNIPER" } })
            .AddEnrollmentAuthority(new InMemoryEnrollmentAuthority())
            .AddCredentials("default", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa));
        using var provider = services.BuildServiceProvider();

        var alias = provider.GetRequiredService<IOptions<ScepServerOptions>>().Value.Aliases["scep"];

        alias.ForcedReplyDigest.Should().Be(ScepDigest.Md5);
        alias.IncludeCaCertificateInReply.Should().BeFalse();
    }

    [Test]
    public async Task Configuration_DevicesBoundFromJson_AreApplied_EndToEnd()
    {
        const string json = """
            {
              "Scep": {
                "Aliases": {
                  "pix": { "Mode": "Ra", "RaChallenge": "pix-secret", "Devices": [ "CiscoPix" ] }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        using var server = ServerHarness.Create(o => configuration.GetSection("Scep").Bind(o));
        var client = server.NewClient("CN=pix-1", "pix-secret", encryption: ContentEncryptionAlgorithm.DesCbc, digest: HashAlgorithmName.MD5);

        var reply = await client.EnrollAsync("pix");

        var alias = server.Services.GetRequiredService<IOptions<ScepServerOptions>>().Value.Aliases["pix"];
        alias.Devices.Should().Equal("CiscoPix");
        alias.ForcedReplyDigest.Should().Be(ScepDigest.Md5);
        client.IssuedFrom(reply).Subject.Should().Be("CN=pix-1");
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
    }
}
