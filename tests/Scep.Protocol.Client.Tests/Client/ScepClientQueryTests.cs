using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Client;

public class ScepClientQueryTests
{
    [Test]
    public async Task GetCertificateAsync_KnownSerial_ReturnsTheCertificate()
    {
        var server = new FakeScepServer();
        var issued = server.IssueDirectly("CN=printer-7", ClientFixture.Key(6));
        var client = ClientFixture.Create(server);

        var result = await client.GetCertificateAsync(await client.GetServerInfoAsync(), IssuerAndSerialNumber.FromCertificate(issued));

        result.Status.Should().Be(PkiStatus.Success);
        result.Certificate!.Thumbprint.Should().Be(issued.Thumbprint);
        server.PkiOperations.Single().Message!.MessageType.Should().Be(MessageType.GetCert);
        server.PkiOperations.Single().Content!.IssuerAndSerialNumber!.Matches(issued).Should().BeTrue();
    }

    [Test]
    public async Task GetCertificateAsync_UnknownSerial_ReturnsFailureBadCertId()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);

        var result = await client.GetCertificateAsync(await client.GetServerInfoAsync(), IssuerAndSerialNumber.Create(server.Ca.Certificate.SubjectName, [0x7F, 0x01]));

        result.Status.Should().Be(PkiStatus.Failure);
        result.FailInfo.Should().Be(FailInfo.BadCertId);
        result.Certificate.Should().BeNull();
    }

    [Test]
    public async Task GetCrlAsync_ServerHasCrl_ReturnsCrlVerifiedWithCaKey()
    {
        var server = new FakeScepServer();
        server.Crl = FakeScepServer.CreateCrl(server.Ca, [0x01, 0x02, 0x03]);
        var client = ClientFixture.Create(server);

        var result = await client.GetCrlAsync(await client.GetServerInfoAsync(), IssuerAndSerialNumber.FromCertificate(server.Ca.Certificate));

        result.Status.Should().Be(PkiStatus.Success);
        result.Crl.ToArray().Should().Equal(server.Crl);
        result.CrlIssuer!.Thumbprint.Should().Be(server.Ca.Certificate.Thumbprint);
        server.PkiOperations.Single().Message!.MessageType.Should().Be(MessageType.GetCRL);
    }

    [Test]
    public async Task GetCrlAsync_CrlSignedByAnotherCa_IsRejected()
    {
        var server = new FakeScepServer();
        server.Crl = FakeScepServer.CreateCrl(server.Stranger, [0x01]);
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();

        var act = () => client.GetCrlAsync(info, IssuerAndSerialNumber.FromCertificate(server.Ca.Certificate));

        (await act.Should().ThrowAsync<ScepException>()).Which.Reason.Should().Be(ScepError.SignatureInvalid);
    }

    [Test]
    public async Task GetCrlAsync_ServerWithoutCrl_ReturnsFailure()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);

        var result = await client.GetCrlAsync(await client.GetServerInfoAsync(), IssuerAndSerialNumber.FromCertificate(server.Ca.Certificate));

        result.Status.Should().Be(PkiStatus.Failure);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.Crl.IsEmpty.Should().BeTrue();
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_SignedByCurrentCa_ReturnsNextCertificate()
    {
        var next = TestPki.CreateCa("CN=Scep Test CA 2,O=Scep.Protocol Tests");
        var server = new FakeScepServer { NextCaCertificate = next.Certificate };
        var client = ClientFixture.Create(server);

        var result = await client.GetNextCaCertificatesAsync(await client.GetServerInfoAsync());

        result.IssuerCertificate.Thumbprint.Should().Be(next.Certificate.Thumbprint);
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_SignedByStranger_IsRejected()
    {
        var server = new FakeScepServer();
        server.NextCaCertificate = TestPki.CreateCa("CN=Next").Certificate;
        server.NextCaReplySigner = server.Stranger;
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();

        var act = () => client.GetNextCaCertificatesAsync(info);

        await act.Should().ThrowAsync<ScepException>();
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_NoRollover_ThrowsTransportExceptionWith404()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();

        var act = () => client.GetNextCaCertificatesAsync(info);

        (await act.Should().ThrowAsync<ScepTransportException>()).Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task GetCertificateAsync_WithGivenSigner_SignsWithIt()
    {
        var server = new FakeScepServer();
        var own = server.IssueDirectly("CN=laptop", ClientFixture.Key(7));
        var client = ClientFixture.Create(server);

        await client.GetCertificateAsync(await client.GetServerInfoAsync(), IssuerAndSerialNumber.FromCertificate(own), ScepSigner.Create(own, ClientFixture.Key(7)));

        server.PkiOperations.Single().Message!.SignerCertificate!.Thumbprint.Should().Be(own.Thumbprint);
    }

    [Test]
    public void ScepSignerCreateSelfSigned_ValidityFollowsTheGivenClock()
    {
        var signer = ScepSigner.CreateSelfSigned(ClientFixture.Key(), new X500DistinguishedName("CN=x"), FakeScepServer.Now);

        signer.Certificate.NotBefore.ToUniversalTime().Should().Be((FakeScepServer.Now - ScepSigner.SelfSignedBackdating).UtcDateTime);
        signer.Certificate.NotAfter.ToUniversalTime().Should().Be((FakeScepServer.Now + ScepSigner.SelfSignedLifetime).UtcDateTime);
        signer.IsSelfSigned.Should().BeTrue();
    }
}
