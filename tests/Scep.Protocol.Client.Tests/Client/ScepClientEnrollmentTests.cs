using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Client;

public class ScepClientEnrollmentTests
{
    [Test]
    public async Task EnrollAsync_ServerIssues_ReturnsCertificateFoundByKeyNotPosition()
    {
        var server = new FakeScepServer { CaCertificateFirstInReply = true };
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(info, ClientFixture.Csr(key), key);

        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Certificate!.Subject.Should().Be("CN=device-1, O=Example");
        result.Certificate.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        result.AdditionalCertificates.Select(c => c.Thumbprint).Should().Equal(server.Ca.Certificate.Thumbprint);
        result.FailInfo.Should().BeNull();
        result.Reply.Status.Should().Be(PkiStatus.Success);
    }

    [Test]
    public async Task EnrollAsync_SignsWithSelfSignedCertificateOverTheRequestedKey()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();

        await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        var request = server.PkiOperations.Single().Message!;
        request.MessageType.Should().Be(MessageType.PKCSReq);
        var signer = request.SignerCertificate!;
        signer.SubjectName.RawData.Should().Equal(signer.IssuerName.RawData, "the signer is self-signed");
        signer.Subject.Should().Be("CN=device-1, O=Example", "RFC 8894 §2.3: same subject as the request");
        signer.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        signer.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages
            .Should().Be(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        server.PkiOperations.Single().Content!.CertificationRequest!.ChallengePassword.Should().Be("secret-123");
    }

    [Test]
    public async Task EnrollAsync_KeyOtherThanTheRequests_IsRejectedBeforeSending()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();

        var act = () => client.EnrollAsync(info, ClientFixture.Csr(ClientFixture.Key(1)), ClientFixture.Key(2));

        await act.Should().ThrowAsync<ArgumentException>();
        server.PkiOperations.Should().BeEmpty();
    }

    [Test]
    public async Task EnrollAsync_ServerRefuses_ReturnsFailedWithFailInfoAndText()
    {
        var server = new FakeScepServer { Refusal = (FailInfo.BadRequest, "challenge password wrong") };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfo.Should().Be(FailInfo.BadRequest);
        result.FailInfoText.Should().Be("challenge password wrong");
        result.Certificate.Should().BeNull();
        result.TransactionId.Should().Be(server.PkiOperations.Single().Message!.TransactionId);
    }

    [Test]
    public async Task EnrollAsync_WithRaPair_EncryptsToRaEncryptionCertificateAndAcceptsRaSignedReply()
    {
        var ca = TestPki.Ca;
        var encryption = TestPki.CreateRa(ca, "CN=RA encryption", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(11));
        var signing = TestPki.CreateRa(ca, "CN=RA signing", X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(12));
        var server = new FakeScepServer(ca) { ReplySigner = signing, Decrypter = encryption };
        server.CaCertificates.AddRange([ca.Certificate, signing.Certificate, encryption.Certificate]);
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(info, ClientFixture.Csr(key), key);

        info.CaCertificates.EncryptionCertificate.Thumbprint.Should().Be(encryption.Certificate.Thumbprint);
        info.CaCertificates.SigningCertificate.Thumbprint.Should().Be(signing.Certificate.Thumbprint);
        info.CaCertificates.IssuerCertificate.Thumbprint.Should().Be(ca.Certificate.Thumbprint);
        server.PkiOperations.Single().Message!.Envelope!.Recipients.Single().Matches(encryption.Certificate).Should().BeTrue();
        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Reply.SignerCertificate!.Thumbprint.Should().Be(signing.Certificate.Thumbprint);
    }

    [Test]
    public async Task EnrollWithSignerAsync_EcRequestWithSeparateRsaTransportKey_IsIssuedForTheEcKey()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=ec-device")) { ChallengePassword = "x" }.Build(ecKey, HashAlgorithmName.SHA256);
        var transport = ScepSigner.CreateSelfSigned(ClientFixture.Key(3), new X500DistinguishedName("CN=ec-device"), FakeScepServer.Now);

        var result = await client.EnrollWithSignerAsync(info, csr, transport);

        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Certificate!.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().Should().Equal(ecKey.ExportSubjectPublicKeyInfo());
    }

    [Test]
    public async Task RenewAsync_SendsRenewalReqSignedWithTheOldCertificate_AndDecryptsWithItsKey()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var oldKey = ClientFixture.Key(4);
        var old = server.IssueDirectly("CN=device-1", oldKey);
        var newKey = ClientFixture.Key(5);

        var result = await client.RenewAsync(info, ClientFixture.Csr(newKey, "CN=device-1", challenge: null), ScepSigner.Create(old, oldKey));

        var request = server.PkiOperations.Single().Message!;
        request.MessageType.Should().Be(MessageType.RenewalReq);
        request.SignerCertificate!.Thumbprint.Should().Be(old.Thumbprint);
        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(newKey.ExportSubjectPublicKeyInfo());
        result.Transaction.MessageType.Should().Be(MessageType.RenewalReq);
    }

    [Test]
    public void ScepSignerCreate_KeyOfAnotherCertificate_IsRejected()
    {
        var certificate = TestPki.CreateSelfSigned("CN=a", TestPki.CachedRsa(1)).Certificate;

        var act = () => ScepSigner.Create(certificate, TestPki.CachedRsa(2));

        act.Should().Throw<ArgumentException>().WithMessage("*does not belong*");
    }
}
