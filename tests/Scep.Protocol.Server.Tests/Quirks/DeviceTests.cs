using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Quirks;

/// <summary>
/// Issue point 11: one test per device of EJBCA's tested-devices list, sending what the device sends (as the
/// EJBCA documentation and the interop reports describe it) and checking what it needs back.
/// </summary>
public class DeviceTests
{
    private const string UnstructuredNameOid = "1.2.840.113549.1.9.2";
    private const string UnstructuredAddressOid = "1.2.840.113549.1.9.8";
    private const string RandomNonceOid = "1.2.840.113549.1.9.25.3";

    private static string GetQuery(PkiMessage request) => "operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span);

    private static DegenerateCertificateSet SetOf(PkiMessage reply, TestCredential requester)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(requester.Certificate, requester.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
    }

    [Test]
    public async Task CiscoPix3000_Md5AndDesOverGet_LowerCasedCaName_UnstructuredNameKeptAndMd5Reply()
    {
        using var server = ServerHarness.Create(
            o => o.Aliases["pix"] = new ScepAliasOptions
            {
                CaName = "VpnCA",
                StrictCaIdentifier = true,
                ForcedReplyDigest = ScepDigest.Md5,
                EncryptionAlgorithms = { ContentEncryptionAlgorithm.DesCbc },
                DigestAlgorithms = { ScepDigest.Md5 },
            },
            b => b.AddCredentials("VpnCA", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa)));
        server.Entities.Add("pix.example.com", "foo123");
        // "ca authenticate pixca": the PIX lower-cases the CA nickname.
        var caCert = await server.GetAsync("operation=GetCACert&message=vpnca", "pix");
        // "ca generate rsa key 1024" then "ca enroll pixca foo123".
        var builder = new X500DistinguishedNameBuilder();
        builder.Add(UnstructuredAddressOid, "10.1.1.1", UniversalTagNumber.PrintableString);
        builder.Add(UnstructuredNameOid, "pix.example.com", UniversalTagNumber.IA5String);
        builder.AddCommonName("pix.example.com");
        var subject = builder.Build();
        var key = TestPki.CachedRsa(50, 1024);
        var csr = new Pkcs10RequestBuilder(subject) { ChallengePassword = "foo123" }.Build(key, HashAlgorithmName.MD5);
        var signer = TestPki.CreateSelfSigned("CN=pix.example.com", key);
        var request = PkiMessage.CreatePkcsReq(csr, server.Parameters(signer, encryption: ContentEncryptionAlgorithm.DesCbc, digest: HashAlgorithmName.MD5));

        var reply = server.ReplyFrom(await server.GetAsync(GetQuery(request), "pix"), request);

        caCert.StatusCode.Should().Be(200);
        caCert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
        var issued = SetOf(reply, signer).FindByPublicKey(csr.PublicKey)!;
        issued.SubjectName.RawData.Should().Equal(subject.RawData, "CN, unstructuredName and unstructuredAddress are kept as sent");
        issued.SubjectName.EnumerateRelativeDistinguishedNames().Select(r => r.GetSingleElementType().Value)
            .Should().Contain([UnstructuredNameOid, UnstructuredAddressOid]);
    }

    [Test]
    public async Task CiscoVpnClient_CaDomainAsMessage_GetsTheCaCertificateInTheReply()
    {
        using var server = ServerHarness.Create(o => o.Aliases["scep"].IncludeCaCertificateInReply = true);
        server.Entities.Add("vpnuser", "foo123");
        var caCert = await server.GetAsync("operation=GetCACert&message=default");
        var client = server.NewClient("CN=vpnuser", "foo123", encryption: ContentEncryptionAlgorithm.TripleDesCbc, digest: HashAlgorithmName.SHA1);

        var set = SetOf(await client.EnrollAsync(usePost: false), client.Signer);

        caCert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        set.Certificates.Should().HaveCount(2);
        set.Certificates[1].RawData.Should().Equal(server.Ca.Certificate.RawData, "the VPN client needs the CA certificate in the CertRep");
    }

    [Test]
    public async Task JuniperNetScreen_PlainTextCaIdent_GetsNoCaCertificateInTheReply()
    {
        using var server = ServerHarness.Create(
            o => o.Aliases["juniper"] = new ScepAliasOptions { CaName = "ScepCA", StrictCaIdentifier = true, IncludeCaCertificateInReply = false },
            b => b.AddCredentials("ScepCA", ScepCaCredentials.ForCa(TestPki.Ca.Certificate, TestPki.Ca.Rsa)));
        server.Entities.Add("netscreen.foo.se", "foo123", "CN=netscreen.foo.se,O=PrimeKey,C=SE");
        // "CA IDENT: The CA Name in EJBCA": sent as plain text, not base64.
        var caCert = await server.GetAsync("operation=GetCACert&message=ScepCA", "juniper");
        var client = server.NewClient("CN=netscreen.foo.se", "foo123", encryption: ContentEncryptionAlgorithm.TripleDesCbc, digest: HashAlgorithmName.SHA1);

        var set = SetOf(await client.EnrollAsync("juniper", usePost: false), client.Signer);

        caCert.StatusCode.Should().Be(200);
        caCert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        set.Certificates.Should().ContainSingle("Juniper refuses a CertRep that holds the CA certificate");
        set.Certificates[0].Subject.Should().Be("CN=netscreen.foo.se, O=PrimeKey, C=SE");
    }

    [Test]
    public async Task MobileIron_AlwaysSendsMobileIronScep_AsTheCaIdent()
    {
        using var server = ServerHarness.Create(o =>
        {
            o.Aliases["ra"].StrictCaIdentifier = true;
            o.Aliases["ra"].CaIdentifiers.Add("MobileIronSCEP");
        });

        var caps = await server.GetAsync("operation=GetCACaps&message=MobileIronSCEP", "ra");
        var caCert = await server.GetAsync("operation=GetCACert&message=MobileIronSCEP", "ra");
        var reply = await server.NewClient("CN=mobile-device-1", "ra-secret").EnrollAsync("ra");

        caps.StatusCode.Should().Be(200);
        CaCapabilities.Parse(Encoding.ASCII.GetString(caps.Body.Span)).UsePost.Should().BeTrue();
        caCert.StatusCode.Should().Be(200);
        caCert.Body.ToArray().Should().Equal(server.Ca.Certificate.RawData);
        reply.Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task Cryptlib_NeedsKeyEnciphermentOnTheCa_AndItsRandomNonceAttributeIsIgnored()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("cryptlib-user", "foo123");
        // cryptlib sends '*' as the CA identifier.
        var caCert = X509CertificateLoader.LoadCertificate((await server.GetAsync("operation=GetCACert&message=*")).Body.Span);
        var client = server.NewClient("CN=cryptlib-user", "foo123");
        var randomNonce = new AsnWriter(AsnEncodingRules.DER);
        randomNonce.WriteOctetString(RandomNumberGenerator.GetBytes(16));
        var parameters = server.Parameters(client.Signer, attributes: [new AsnEncodedData(RandomNonceOid, randomNonce.Encode())]);
        var request = PkiMessage.CreatePkcsReq(client.Csr, parameters);
        request.OtherSignedAttributes.Should().ContainKey(RandomNonceOid, "the request really carries the extra attribute");

        var reply = await server.SendAsync(request);

        caCert.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.Should().HaveFlag(X509KeyUsageFlags.KeyEncipherment);
        client.IssuedFrom(reply).Subject.Should().Be("CN=cryptlib-user");
    }

    [Test]
    public async Task IPhoneIos_GetWithPlusAsSpace_AndEightByteNonces_AreEchoed()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=iphone-1", "ra-secret");
        var nonce = RandomNumberGenerator.GetBytes(8);
        PkiMessage request;
        string base64;
        var attempt = 0;
        do
        {
            // Retry until the base64 has a '+' for the broken escaping to mangle.
            request = PkiMessage.CreatePkcsReq(client.Csr, server.Parameters(client.Signer, senderNonce: nonce, transactionId: "ios-" + attempt++));
            base64 = Convert.ToBase64String(request.RawData.Span);
        }
        while (!base64.Contains('+') && attempt < 50);
        var caCert = await server.GetAsync("operation=GetCACert&message=CAIdentifier", "ra");

        var response = await server.GetAsync("operation=PKIOperation&message=" + base64.Replace('+', ' ').Replace("/", "%2F").Replace("=", "%3D"), "ra");

        caCert.StatusCode.Should().Be(200);
        var reply = server.ReplyFrom(response, request);
        reply.RecipientNonce.ToArray().Should().Equal(nonce, "old iOS expects its 8-byte nonce back unchanged");
        client.IssuedFrom(reply).Subject.Should().Be("CN=iphone-1");
    }

    [Test]
    public async Task JScep_BerIndefiniteLengthsAndTripleDes_AreIssued()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("user", "foo123");
        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps&message=ManagementCA")).Body.Span));
        var client = server.NewClient("CN=user", "foo123", encryption: ContentEncryptionAlgorithm.TripleDesCbc, digest: HashAlgorithmName.SHA512);
        var request = client.PkcsReq();
        var ber = HandBuiltMessage.WithIndefiniteLengths(request.RawData.Span);
        ber.Should().NotEqual(request.RawData.ToArray());
        ber[1].Should().Be(0x80, "the outer ContentInfo has an indefinite length");

        var reply = server.ReplyFrom(await server.PostAsync(ber), request);

        caps.Supports(CaCapability.Des3).Should().BeTrue();
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.TripleDesCbc);
        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.SHA512);
        client.IssuedFrom(reply).Subject.Should().Be("CN=user");
    }

    [Test]
    public async Task OpenScep_DesMd5AndTheOldPkcs7ContentForm_AreIssued()
    {
        using var server = ServerHarness.Create(o => o.Aliases["legacy"] = new ScepAliasOptions
        {
            EncryptionAlgorithms = { ContentEncryptionAlgorithm.DesCbc },
            DigestAlgorithms = { ScepDigest.Md5 },
        });
        server.Entities.Add("openscep-user", "foo123");
        var key = TestPki.CachedRsa(51, 1024);
        var signer = TestPki.CreateSelfSigned("CN=openscep-user", key);
        var csr = Scenario.Csr("CN=openscep-user", key, "foo123", HashAlgorithmName.MD5);
        var envelope = PkiEnvelope.Create(csr.RawData.Span, server.Ca.Certificate, ContentEncryptionAlgorithm.DesCbc, KeyTransportAlgorithm.RsaPkcs1);
        var bytes = HandBuiltMessage.Sign(MessageType.PKCSReq, envelope.RawData.Span, signer, HashAlgorithmName.MD5, "openscep-1", ScepNonce.Create(), server.Now, HandBuiltMessage.ContentForm.Pkcs7);
        var request = PkiMessage.Decode(bytes);

        var reply = server.ReplyFrom(await server.GetAsync(GetQuery(request), "legacy"), request);

        reply.DigestAlgorithm.Should().Be(HashAlgorithmName.MD5);
        reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
        SetOf(reply, signer).FindByPublicKey(csr.PublicKey)!.Subject.Should().Be("CN=openscep-user");
    }

    [Test]
    public async Task CiscoIse_InRaMode_CreatesTheEndEntityAndIssues()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ise"] = new ScepAliasOptions
        {
            Mode = ScepOperationMode.Ra,
            RaChallenge = "ise-shared-secret",
            RaEntityDefaults = { ["certificateProfile"] = "ISE_ENDPOINT" },
        });
        var caps = CaCapabilities.Parse(Encoding.ASCII.GetString((await server.GetAsync("operation=GetCACaps", "ise")).Body.Span));
        var client = server.NewClient("CN=ise-endpoint-00-11-22-33-44-55,OU=BYOD", "ise-shared-secret");

        var reply = await client.EnrollAsync("ise", usePost: caps.UsePost);

        client.IssuedFrom(reply).Subject.Should().Be("CN=ise-endpoint-00-11-22-33-44-55, OU=BYOD");
        var entity = await server.Entities.FindAsync("ise-endpoint-00-11-22-33-44-55", default);
        entity!.ProfileData.Should().Contain("certificateProfile", "ISE_ENDPOINT");
        entity.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task SscepAutoSscep_PendingThenTheSameRequestReSentUntilIssued()
    {
        using var server = ServerHarness.Create();
        server.Authority.RequireApproval = true;
        server.Entities.Add("router4711", "foo123", "CN=router4711,O=PrimeKey,L=Stockholm,S=BS,C=SE");
        var client = server.NewClient("CN=router4711", "foo123", encryption: ContentEncryptionAlgorithm.TripleDesCbc, digest: HashAlgorithmName.SHA1);
        var request = client.PkcsReq();
        var query = GetQuery(request);

        var first = server.ReplyFrom(await server.GetAsync(query), request);
        server.Advance(TimeSpan.FromMinutes(5));
        var second = server.ReplyFrom(await server.GetAsync(query), request);
        server.Authority.Approve(server.Authority.PendingReferences.Single());
        server.Advance(TimeSpan.FromMinutes(5));
        var third = server.ReplyFrom(await server.GetAsync(query), request);
        var fourth = server.ReplyFrom(await server.GetAsync(query), request);

        first.Status.Should().Be(PkiStatus.Pending);
        second.Status.Should().Be(PkiStatus.Pending);
        var issued = client.IssuedFrom(third);
        issued.Subject.Should().Be("CN=router4711, O=PrimeKey, L=Stockholm, S=BS, C=SE");
        client.IssuedFrom(fourth).RawData.Should().Equal(issued.RawData, "running sscep again fetches the same certificate");
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }
}
