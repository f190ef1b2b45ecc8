using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Http;

/// <summary>RenewalReq against the sample host: allowed after half of the validity, with a new key, for certificates on record and not revoked.</summary>
public class RenewalTests
{
    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;
    private FakeTimeProvider _time = null!;
    private X509Certificate2 _ca = null!;

    [SetUp]
    public void StartHost()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _directory = new TempDirectory("scep-renewal-");
        _host = new SampleHostFactory(_directory.Path, services: s => s.AddSingleton<TimeProvider>(_time));
        _ca = _host.Cas.Current.Certificate;
    }

    [TearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task RenewalReq_AfterHalfTheValidity_IssuesANewCertificateForTheNewKey()
    {
        var (device, issued) = await EnrollAsync("CN=renew-me", keySlot: 37);
        _time.Advance(TimeSpan.FromDays(200));
        var newKey = TestPki.CachedRsa(38);

        var reply = await _host.Client("/scep/ra/pkiclient.exe").SendAsync(RenewalReq(device, issued, newKey, "CN=renew-me"));

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var content = reply.Decrypt(issued, device.Signer.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
        var renewed = content.FindByPublicKey(PublicKey.CreateFromSubjectPublicKeyInfo(newKey.ExportSubjectPublicKeyInfo(), out _))!;
        renewed.Subject.Should().Be("CN=renew-me");
        renewed.SerialNumber.Should().NotBe(issued.SerialNumber);
        SampleHostHttpTests.ShouldChainTo(renewed, _ca, _time.GetUtcNow());
    }

    [Test]
    public async Task RenewalReq_OfARevokedCertificate_IsRefused()
    {
        var (device, issued) = await EnrollAsync("CN=revoked-renewal", keySlot: 39);
        await _host.Admin.RevokeAsync(issued.SerialNumber, X509RevocationReason.KeyCompromise, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(200));

        var reply = await _host.Client("/scep/ra/pkiclient.exe").SendAsync(RenewalReq(device, issued, TestPki.CachedRsa(41), "CN=revoked-renewal"));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Contain("revoked");
    }

    private async Task<(Device Device, X509Certificate2 Issued)> EnrollAsync(string subject, int keySlot)
    {
        var device = ScepTestClient.NewDevice(subject, "change-me", keySlot, _ca);
        return (device, device.IssuedFrom(await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq())));
    }

    private PkiMessage RenewalReq(Device device, X509Certificate2 current, RSA newKey, string subject) =>
        PkiMessage.CreateRenewalReq(Scenario.Csr(subject, newKey, challenge: null), new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = current,
            SignerKey = device.Signer.Key,
            RecipientCertificate = _ca,
            ContentEncryption = ContentEncryptionAlgorithm.Aes256Cbc,
            DigestAlgorithm = HashAlgorithmName.SHA256,
            SigningTime = _time.GetUtcNow(),
        });
}
