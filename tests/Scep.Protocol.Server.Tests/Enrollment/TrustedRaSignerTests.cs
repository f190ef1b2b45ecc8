using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>
/// An RA in front of this CA forwards its devices' PKCSReqs under its own key (ScepAliasOptions.TrustedRaSigners): the RA
/// has authorized them, so no challenge is asked for and the CSR's key is the device's, not the signer's.
/// </summary>
public class TrustedRaSignerTests
{
    [Test]
    public async Task PkcsReq_SignedByATrustedRa_IsIssuedForTheDevicesKeyWithoutAChallenge()
    {
        var ra = TestPki.CreateSelfSigned("CN=Edge RA", TestPki.CachedRsa(20));
        using var server = ServerHarness.Create(o => o.Aliases["ra"].TrustedRaSigners.Add(Fingerprint(ra)));
        var device = server.NewClient("CN=branch-router-1", challenge: null, keySlot: 21);

        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(device.Csr, server.Parameters(ra)), "ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var issued = reply.Decrypt(ra.Certificate, ra.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(device.Csr.PublicKey);
        issued!.Subject.Should().Be("CN=branch-router-1");
        (await server.Entities.FindAsync("branch-router-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
    }

    [Test]
    public async Task PkcsReq_SignedByAnUntrustedCertificate_StillNeedsItsChallenge()
    {
        var trusted = TestPki.CreateSelfSigned("CN=Edge RA", TestPki.CachedRsa(20));
        var other = TestPki.CreateSelfSigned("CN=Someone else", TestPki.CachedRsa(22));
        using var server = ServerHarness.Create(o => o.Aliases["ra"].TrustedRaSigners.Add(Fingerprint(trusted)));
        var device = server.NewClient("CN=branch-router-1", challenge: null, keySlot: 21);

        var reply = await server.SendAsync(PkiMessage.CreatePkcsReq(device.Csr, server.Parameters(other)), "ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        (await server.Entities.FindAsync("branch-router-1", default)).Should().BeNull();
    }

    [Test]
    public async Task PkcsReq_SignedByATrustedRaWhoseCertificateThisCaIssued_IsAnEnrollmentNotARenewal()
    {
        using var server = ServerHarness.Create();
        var ra = await server.IssueAsync("edge-ra", keySlot: 23);
        server.Dispose();
        using var trusting = ServerHarness.Create(o => o.Aliases["ra"].TrustedRaSigners.Add(Fingerprint(ra)));
        var device = trusting.NewClient("CN=branch-router-2", challenge: null, keySlot: 24);

        var reply = await trusting.SendAsync(PkiMessage.CreatePkcsReq(device.Csr, trusting.Parameters(ra)), "ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        reply.Decrypt(ra.Certificate, ra.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.FindByPublicKey(device.Csr.PublicKey)!.Subject.Should().Be("CN=branch-router-2");
        (await trusting.Entities.FindAsync("edge-ra", default)).Should().BeNull("the RA's own end entity is not renewed");
    }

    [Test]
    public async Task RenewalReq_SignedByATrustedRa_IsNotTakenAsAnRaForwardedEnrollment()
    {
        var ra = TestPki.CreateSelfSigned("CN=Edge RA", TestPki.CachedRsa(20));
        using var server = ServerHarness.Create(o => o.Aliases["ra"].TrustedRaSigners.Add(Fingerprint(ra)));
        var device = server.NewClient("CN=branch-router-3", challenge: null, keySlot: 25);

        var reply = await server.SendAsync(PkiMessage.CreateRenewalReq(device.Csr, server.Parameters(ra)), "ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("neither self-signed nor issued by this CA");
    }

    private static string Fingerprint(TestCredential credential) => Convert.ToHexString(SHA256.HashData(credential.Certificate.RawData));
}
