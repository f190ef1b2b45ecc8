using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// An ECDSA CA with an RSA encryption certificate (<see cref="ScepCaCredentials.ForSigningCa"/>): clients encrypt to the
/// RSA certificate (RFC 8894 §3.1 uses RSA key transport), the CA's ECDSA key signs the replies (§3.2, any signature
/// algorithm of the CA's key), the certificates and the CRLs.
/// </summary>
public class PipelineEcdsaCaTests
{
    [TestCase("P-256", "1.2.840.10045.4.3.2")]
    [TestCase("P-384", "1.2.840.10045.4.3.3")]
    public async Task EnrollAsync_EcdsaCaWithRsaEncryptionCertificate_IssuesACertificateSignedByTheEcdsaKey(string curve, string signatureOid)
    {
        using var server = EcdsaServer(curve, out var ca);
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(912);

        var result = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=ec-ca-device", PipelineServer.RaChallenge), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.SignatureAlgorithm.Value.Should().Be(signatureOid);
        result.Certificate.IssuerName.RawData.Should().Equal(ca.Certificate.SubjectName.RawData);
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, VerificationTime = server.Time.GetUtcNow().UtcDateTime } };
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.Build(result.Certificate).Should().BeTrue(string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Test]
    public async Task GetCaCert_EcdsaCa_ServesTheEncryptionCertificateFirstAndTheClientEncryptsToIt()
    {
        using var server = EcdsaServer("P-256", out var ca);
        var client = server.Client("ra");

        var info = await client.GetServerInfoAsync();

        info.CaCertificates.Certificates.Select(c => c.Thumbprint).Should().Equal(server.Credentials.DecryptionCertificate.Thumbprint, ca.Certificate.Thumbprint);
        info.CaCertificates.EncryptionCertificate.Thumbprint.Should().Be(server.Credentials.DecryptionCertificate.Thumbprint, "the only certificate with keyEncipherment");
    }

    [Test]
    public async Task GetCrl_FromAnEcdsaCa_IsSignedByTheCaKey()
    {
        using var server = EcdsaServer("P-256", out var ca);
        var client = server.Client("ra");
        var info = await client.GetServerInfoAsync();
        var key = TestPki.CachedRsa(913);
        var issued = await client.EnrollAsync(info, PipelineServer.Csr(key, "CN=ec-poll-device", PipelineServer.RaChallenge), key);

        var crl = await client.GetCrlAsync(info, IssuerAndSerialNumber.FromCertificate(issued.Certificate!));

        crl.Status.Should().Be(PkiStatus.Success);
        crl.CrlIssuer!.Thumbprint.Should().Be(ca.Certificate.Thumbprint, "the CRL's signature verified with the ECDSA CA certificate");
    }

    [Test]
    public void ForSigningCa_EncryptionCertificateWithoutKeyEncipherment_IsRefused()
    {
        var ca = EcdsaCa("P-256");
        var signingOnly = TestPki.CreateRa(ca, "CN=Not For Encryption", X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(914));

        var act = () => ScepCaCredentials.ForSigningCa(ca.Certificate, ca.Key, signingOnly.Certificate, signingOnly.Rsa);

        act.Should().Throw<ArgumentException>().WithMessage("*keyEncipherment*");
    }

    [Test]
    public void ForSigningCa_EcdsaEncryptionCertificate_IsRefused()
    {
        var ca = EcdsaCa("P-256");

        var act = () => ScepCaCredentials.ForSigningCa(ca.Certificate, ca.Key, ca.Certificate, TestPki.CachedRsa(915));

        act.Should().Throw<ArgumentException>().WithMessage("*RSA key*");
    }

    private static readonly Lazy<TestCredential> P256 = new(() => TestPki.CreateCa("CN=Pipeline ECDSA P-256 CA,O=Scep.Protocol Tests", ECDsa.Create(ECCurve.NamedCurves.nistP256)));
    private static readonly Lazy<TestCredential> P384 = new(() => TestPki.CreateCa("CN=Pipeline ECDSA P-384 CA,O=Scep.Protocol Tests", ECDsa.Create(ECCurve.NamedCurves.nistP384)));

    private static TestCredential EcdsaCa(string curve) => curve == "P-384" ? P384.Value : P256.Value;

    private static PipelineServer EcdsaServer(string curve, out TestCredential ca)
    {
        ca = EcdsaCa(curve);
        var encryption = TestPki.CreateRa(ca, $"CN=Pipeline ECDSA {curve} CA encryption", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(curve == "P-384" ? 917 : 916));
        return PipelineServer.Create(ca: ca, credentials: ScepCaCredentials.ForSigningCa(ca.Certificate, ca.Key, encryption.Certificate, encryption.Rsa));
    }
}
