using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>RA mode takes the subject from the request: it must reach the certificate exactly as the device sent it.</summary>
public class RaModeSubjectTests
{
    private static async Task<X509Certificate2> EnrollAsync(ServerHarness server, X500DistinguishedName subject, int keySlot)
    {
        var key = TestPki.CachedRsa(keySlot);
        var csr = new Pkcs10RequestBuilder(subject) { ChallengePassword = "ra-secret" }.Build(key, HashAlgorithmName.SHA256);
        var signer = TestPki.CreateSelfSigned("CN=requester", key);
        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(csr, server.Parameters(signer)), "ra");
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(signer.Certificate, signer.Rsa).CertificateSet!.FindByPublicKey(csr.PublicKey)!;
    }

    [Test]
    public async Task RaMode_CiscoSubjectWithUnstructuredNameAndAddress_IsIssuedByteForByte()
    {
        using var server = ServerHarness.Create();
        var builder = new X500DistinguishedNameBuilder();
        builder.Add("1.2.840.113549.1.9.8", "10.1.1.1", UniversalTagNumber.PrintableString);
        builder.Add("1.2.840.113549.1.9.2", "router.example.com", UniversalTagNumber.IA5String);
        builder.AddCommonName("router.example.com");
        var subject = builder.Build();

        var issued = await EnrollAsync(server, subject, 60);

        issued.SubjectName.RawData.Should().Equal(subject.RawData);
    }

    [Test]
    public async Task RaMode_SubjectWithCharactersThatNeedQuoting_IsIssuedByteForByte()
    {
        using var server = ServerHarness.Create();
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("SE");
        builder.AddOrganizationName("Example, Inc. \"R+D\"");
        builder.AddCommonName("device=7;x");
        var subject = builder.Build();

        var issued = await EnrollAsync(server, subject, 61);

        issued.SubjectName.RawData.Should().Equal(subject.RawData);
    }
}
