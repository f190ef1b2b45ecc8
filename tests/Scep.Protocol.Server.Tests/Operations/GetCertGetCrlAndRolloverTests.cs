using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Operations;

/// <summary>Issue point 5: GetCert (21), GetCRL (22), GetNextCACert, and enrollment against the next CA during a rollover.</summary>
public class GetCertGetCrlAndRolloverTests
{
    private static readonly Lazy<TestCredential> NextCa = new(() => TestPki.CreateCa("CN=Scep Test CA G2,O=Scep.Protocol Tests", TestPki.CachedRsa(901)));

    private static ServerHarness RolloverServer()
    {
        ServerHarness.NextCaKey = NextCa.Value.Key;
        var current = TestPki.Ca;
        var credentials = new ScepCaCredentials
        {
            CaCertificate = current.Certificate,
            DecryptionCertificate = current.Certificate,
            DecryptionKey = current.Rsa,
            SigningCertificate = current.Certificate,
            SigningKey = current.Key,
            Next = ScepCaCredentials.ForCa(NextCa.Value.Certificate, NextCa.Value.Rsa),
        };
        return ServerHarness.Create(credentials: credentials);
    }

    private static DegenerateCertificateSet Content(PkiMessage reply, TestCredential requester)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(requester.Certificate, requester.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
    }

    [Test]
    public async Task GetCert_ForACertificateThisCaIssued_ReturnsItFirst()
    {
        using var server = ServerHarness.Create();
        var issued = await server.IssueAsync("device-1", 30);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(issued.Certificate), server.Parameters(issued)));

        Content(reply, issued).Certificates[0].RawData.Should().Equal(issued.Certificate.RawData);
    }

    [Test]
    public async Task GetCert_ForAnUnknownSerial_IsBadCertId()
    {
        using var server = ServerHarness.Create();
        var issued = await server.IssueAsync("device-1", 30);
        var unknown = IssuerAndSerialNumber.Create(server.Ca.Certificate.SubjectName, [0x01, 0x02, 0x03]);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(unknown, server.Parameters(issued)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadCertId);
    }

    [Test]
    public async Task GetCert_ForAForeignIssuer_IsBadCertId()
    {
        using var server = ServerHarness.Create();
        var issued = await server.IssueAsync("device-1", 30);
        var foreign = IssuerAndSerialNumber.Create(new X500DistinguishedName("CN=Someone Else's CA"), issued.Certificate.SerialNumberBytes.Span);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(foreign, server.Parameters(issued)));

        reply.FailInfo.Should().Be(FailInfo.BadCertId);
    }

    [Test]
    public async Task GetCrl_AfterARevocation_ReturnsASignedCrlListingTheSerial()
    {
        using var server = ServerHarness.Create();
        var revoked = await server.IssueAsync("device-1", 30);
        var kept = await server.IssueAsync("device-2", 31);
        server.Authority.Revoke(revoked.Certificate);

        var reply = await server.SendAsync(PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(kept.Certificate), server.Parameters(kept)));

        var set = Content(reply, kept);
        set.Certificates.Should().BeEmpty();
        set.Crls.Should().ContainSingle();
        var crl = CertificateRevocationListBuilder.Load(set.Crls[0].ToArray(), out var crlNumber);
        crlNumber.Should().BeGreaterThan(System.Numerics.BigInteger.Zero);
        crl.RemoveEntry(revoked.Certificate.SerialNumberBytes.Span).Should().BeTrue("the revoked serial is listed");
        crl.RemoveEntry(kept.Certificate.SerialNumberBytes.Span).Should().BeFalse("a good certificate is not");
    }

    [Test]
    public async Task GetCrl_ForAForeignIssuer_IsBadCertId()
    {
        using var server = ServerHarness.Create();
        var issued = await server.IssueAsync("device-1", 30);
        var foreign = IssuerAndSerialNumber.Create(new X500DistinguishedName("CN=Someone Else's CA"), [0x05]);

        var reply = await server.SendAsync(PkiMessage.CreateGetCrl(foreign, server.Parameters(issued)));

        reply.FailInfo.Should().Be(FailInfo.BadCertId);
    }

    [Test]
    public async Task GetCrl_WithoutACrlSource_IsBadRequest()
    {
        using var server = ServerHarness.Create(build: b => b.Services.Remove(b.Services.Single(d => d.ServiceType == typeof(ICrlSource))));
        var issued = await server.IssueAsync("device-1", 30);

        var reply = await server.SendAsync(PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(issued.Certificate), server.Parameters(issued)));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task GetCrl_ForACertificateOfThePreviousCa_ReturnsThePreviousCasCrl()
    {
        var previousCa = TestPki.CreateCa("CN=Scep Test CA (previous)", TestPki.CachedRsa(904));
        var credentials = ServerHarness.CredentialsWithPreviousCa(previousCa.Certificate);
        using var server = ServerHarness.Create(credentials: credentials);
        server.Authority.AddIssuer(previousCa.Certificate, previousCa.Key);
        var old = TestPki.Issue(previousCa, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-30));
        server.Authority.Record(old.Certificate);
        server.Authority.Revoke(old.Certificate);

        var reply = await server.SendAsync(PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(old.Certificate), server.Parameters(old)));

        var crlBytes = Content(reply, old).Crls.Single().ToArray();
        var crl = CertificateRevocationListBuilder.Load(crlBytes, out _);
        crl.RemoveEntry(old.Certificate.SerialNumberBytes.Span).Should().BeTrue("the CRL that can answer for this certificate is its issuer's");
        IssuerNameOf(crlBytes).Should().Equal(previousCa.Certificate.SubjectName.RawData);
    }

    [Test]
    public async Task GetCert_ForACertificateOfThePreviousCa_ComesWithThePreviousCaCertificate()
    {
        var previousCa = TestPki.CreateCa("CN=Scep Test CA (previous)", TestPki.CachedRsa(904));
        var credentials = ServerHarness.CredentialsWithPreviousCa(previousCa.Certificate);
        using var server = ServerHarness.Create(credentials: credentials);
        var old = TestPki.Issue(previousCa, "CN=device-1", TestPki.CachedRsa(30), server.Now.AddDays(-30));
        server.Authority.Record(old.Certificate);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(old.Certificate), server.Parameters(old)));

        Content(reply, old).Certificates.Select(c => c.Subject).Should().Equal("CN=device-1", previousCa.Certificate.Subject);
    }

    private static byte[] IssuerNameOf(byte[] crl)
    {
        var tbs = new System.Formats.Asn1.AsnReader(crl, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence().ReadSequence();
        tbs.ReadInteger();
        tbs.ReadSequence();
        return tbs.ReadEncodedValue().ToArray();
    }

    [Test]
    public async Task GetNextCaCert_DuringARollover_IsSignedByTheCurrentCaAndHoldsTheNextCa()
    {
        using var server = RolloverServer();

        var response = await server.GetAsync("operation=GetNextCACert");

        response.StatusCode.Should().Be(200);
        response.ContentType.Should().Be(ScepContentTypes.NextCaCertificate);
        var next = NextCaCertificates.Decode(response.Body);
        next.VerifySignature([server.Ca.Certificate]).RawData.Should().Equal(server.Ca.Certificate.RawData);
        next.Next.IssuerCertificate.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
    }

    [Test]
    public async Task GetNextCaCert_IsNotVerifiableWithTheNextCaItself()
    {
        using var server = RolloverServer();

        var next = NextCaCertificates.Decode((await server.GetAsync("operation=GetNextCACert")).Body);

        var verify = () => next.VerifySignature([NextCa.Value.Certificate]);
        verify.Should().Throw<ScepException>();
    }

    [Test]
    public async Task GetCaCaps_ListsGetNextCaCertOnlyDuringARollover()
    {
        using var rollover = RolloverServer();
        using var plain = ServerHarness.Create();

        var during = CaCapabilities.Parse(Encoding.ASCII.GetString((await rollover.GetAsync("operation=GetCACaps")).Body.Span));
        var otherwise = CaCapabilities.Parse(Encoding.ASCII.GetString((await plain.GetAsync("operation=GetCACaps")).Body.Span));

        during.Supports(CaCapability.GetNextCACert).Should().BeTrue();
        otherwise.Supports(CaCapability.GetNextCACert).Should().BeFalse();
    }

    [Test]
    public async Task GetNextCaCert_WithoutARollover_Is404()
    {
        using var server = ServerHarness.Create();

        (await server.GetAsync("operation=GetNextCACert")).StatusCode.Should().Be(404);
    }

    [Test]
    public async Task PkcsReq_EnvelopedToTheNextCa_IsIssuedByTheNextCaKey()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-1", "code-1");
        var client = server.NewClient("CN=router-1", "code-1", recipient: NextCa.Value.Certificate);

        var issued = client.IssuedFrom(await client.EnrollAsync());

        issued.Issuer.Should().Be(NextCa.Value.Certificate.Subject);
        ChainsTo(issued, NextCa.Value.Certificate, server.Now).Should().BeTrue("the next CA key signed it");
        ChainsTo(issued, server.Ca.Certificate, server.Now).Should().BeFalse();
    }

    [Test]
    public async Task PkcsReq_EnvelopedToTheCurrentCa_DuringARollover_IsStillIssuedByTheCurrentCa()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-1", "code-1");
        var client = server.NewClient("CN=router-1", "code-1");

        var issued = client.IssuedFrom(await client.EnrollAsync());

        ChainsTo(issued, server.Ca.Certificate, server.Now).Should().BeTrue();
    }

    [Test]
    public async Task GetCert_ForACertificateIssuedByTheNextCa_IsFound()
    {
        using var server = RolloverServer();
        server.Entities.Add("router-1", "code-1");
        var client = server.NewClient("CN=router-1", "code-1", recipient: NextCa.Value.Certificate);
        var issued = new TestCredential(client.IssuedFrom(await client.EnrollAsync()), client.Signer.Key);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(issued.Certificate), server.Parameters(issued)));

        Content(reply, issued).Certificates[0].RawData.Should().Equal(issued.Certificate.RawData);
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        return chain.Build(certificate);
    }
}
