using System;
using System.Net;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>Issue 5: GetCert, GetCRL and GetNextCACert from <see cref="ScepClient"/> against the real pipeline in process.</summary>
public class PipelineQueryTests
{
    private static readonly Lazy<TestCredential> NextCa = new(() => TestPki.CreateCa("CN=Scep Test CA G2,O=Scep.Protocol Tests", TestPki.CachedRsa(740)));

    [Test]
    public async Task GetCertificateAsync_IssuedSerial_ReturnsThatCertificate()
    {
        using var server = PipelineServer.Create();
        var key = TestPki.CachedRsa(741);
        var issued = (await server.IssueAsync("getcert-device", key)).Certificate!;
        var client = server.Client();
        var info = await client.GetServerInfoAsync();

        var result = await client.GetCertificateAsync(info, IssuerAndSerialNumber.FromCertificate(issued), ScepSigner.Create(issued, key));

        result.Status.Should().Be(PkiStatus.Success);
        result.Certificate!.RawData.Should().Equal(issued.RawData);
    }

    [Test]
    public async Task GetCertificateAsync_UnknownSerial_IsFailureBadCertId()
    {
        using var server = PipelineServer.Create();
        var client = server.Client();
        var info = await client.GetServerInfoAsync();

        var result = await client.GetCertificateAsync(info, IssuerAndSerialNumber.Create(server.Ca.Certificate.SubjectName, [0x7F, 0x01, 0x02]));

        result.Status.Should().Be(PkiStatus.Failure);
        result.FailInfo.Should().Be(FailInfo.BadCertId);
        result.Certificate.Should().BeNull();
    }

    [Test]
    public async Task GetCrlAsync_AfterARevocation_ReturnsTheCasCrlListingTheSerial()
    {
        using var server = PipelineServer.Create();
        var revoked = (await server.IssueAsync("revoked-device", TestPki.CachedRsa(742))).Certificate!;
        var kept = (await server.IssueAsync("kept-device", TestPki.CachedRsa(743))).Certificate!;
        server.Time.Advance(TimeSpan.FromHours(1));
        server.Authority.Revoke(revoked);
        var client = server.Client();
        var info = await client.GetServerInfoAsync();

        var result = await client.GetCrlAsync(info, IssuerAndSerialNumber.FromCertificate(kept));

        result.Status.Should().Be(PkiStatus.Success);
        result.CrlIssuer!.RawData.Should().Equal(server.Ca.Certificate.RawData);
        var crl = CertificateRevocationListBuilder.Load(result.Crl.ToArray(), out var number);
        number.Should().BeGreaterThan(BigInteger.Zero);
        crl.RemoveEntry(revoked.SerialNumberBytes.Span).Should().BeTrue("the revoked certificate is listed");
        crl.RemoveEntry(kept.SerialNumberBytes.Span).Should().BeFalse("a good certificate is not");
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_DuringARollover_ReturnsTheNextCaVerifiedWithTheCurrentOne()
    {
        var current = TestPki.Ca;
        using var server = PipelineServer.Create(credentials: new ScepCaCredentials
        {
            CaCertificate = current.Certificate,
            DecryptionCertificate = current.Certificate,
            DecryptionKey = current.Rsa,
            SigningCertificate = current.Certificate,
            SigningKey = current.Key,
            Next = ScepCaCredentials.ForCa(NextCa.Value.Certificate, NextCa.Value.Rsa),
        }, nextCaKey: NextCa.Value.Key);
        var client = server.Client();
        var info = await client.GetServerInfoAsync();

        var next = await client.GetNextCaCertificatesAsync(info);

        info.Capabilities.Supports(CaCapability.GetNextCACert).Should().BeTrue();
        next.IssuerCertificate.RawData.Should().Equal(NextCa.Value.Certificate.RawData);
    }

    [Test]
    public async Task GetNextCaCertificatesAsync_WithoutARollover_IsATransportErrorWith404()
    {
        using var server = PipelineServer.Create();
        var client = server.Client();
        var info = await client.GetServerInfoAsync();

        var fetch = () => client.GetNextCaCertificatesAsync(info);

        (await fetch.Should().ThrowAsync<ScepTransportException>()).Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
