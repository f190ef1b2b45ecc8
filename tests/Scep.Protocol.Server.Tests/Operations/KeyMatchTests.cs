using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Operations;

/// <summary>Issue point 10: a PKCSReq's CSR key must be its signer's key (RFC 8894 §2.3), unless the alias is an RA proxy.</summary>
public class KeyMatchTests
{
    /// <summary>One client (its own self-signed certificate) asking for a certificate on another device's key.</summary>
    private static (PkiMessage Request, TestCredential Proxy, Pkcs10Request DeviceCsr) ProxyRequest(ServerHarness server)
    {
        var proxy = TestPki.CreateSelfSigned("CN=mdm-proxy", TestPki.CachedRsa(40));
        var deviceCsr = Scenario.Csr("CN=device-7", TestPki.CachedRsa(41), "ra-secret");
        return (PkiMessage.CreatePkcsReq(deviceCsr, server.Parameters(proxy)), proxy, deviceCsr);
    }

    [Test]
    public async Task PkcsReq_WhoseCsrKeyDiffersFromTheSigner_IsBadRequest()
    {
        using var server = ServerHarness.Create();
        var (request, _, _) = ProxyRequest(server);

        var reply = await server.SendAsync(request, "ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Contain("key");
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }

    [Test]
    public async Task PkcsReq_WhoseCsrKeyDiffersFromTheSigner_OnAnRaProxyAlias_IsIssuedForTheCsrKeyAndEncryptedToTheProxy()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RequireSignerKeyMatchesRequest = false);
        var (request, proxy, deviceCsr) = ProxyRequest(server);

        var reply = await server.SendAsync(request, "ra");

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var issued = reply.Decrypt(proxy.Certificate, proxy.Rsa).CertificateSet!.FindByPublicKey(deviceCsr.PublicKey);
        issued.Should().NotBeNull("the certificate certifies the device's key");
        issued!.Subject.Should().Be("CN=device-7");
    }

    [Test]
    public async Task PkcsReq_OnAnRaProxyAlias_OneProxyEnrollsSeveralDevices()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RequireSignerKeyMatchesRequest = false);
        var proxy = TestPki.CreateSelfSigned("CN=mdm-proxy", TestPki.CachedRsa(40));

        var first = await server.SendAsync(PkiMessage.CreatePkcsReq(Scenario.Csr("CN=device-7", TestPki.CachedRsa(41), "ra-secret"), server.Parameters(proxy)), "ra");
        var second = await server.SendAsync(PkiMessage.CreatePkcsReq(Scenario.Csr("CN=device-8", TestPki.CachedRsa(42), "ra-secret"), server.Parameters(proxy)), "ra");

        first.Status.Should().Be(PkiStatus.Success);
        second.Status.Should().Be(PkiStatus.Success);
        server.Authority.IssuedCertificates.Should().HaveCount(2);
    }
}
