using System;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>The CA shapes the pipeline tests run against besides the shared test CA: separate RA certificates, and an issuing CA below an intermediate.</summary>
public static class PipelinePki
{
    private static readonly Lazy<(TestCredential Ca, TestCredential Signing, TestCredential Encryption)> Ra = new(() =>
    {
        var ca = TestPki.CreateCa("CN=Pipeline RA Test CA,O=Scep.Protocol Tests", TestPki.CachedRsa(701));
        var signing = TestPki.CreateRa(ca, "CN=Pipeline RA Signing,O=Scep.Protocol Tests", X509KeyUsageFlags.DigitalSignature, TestPki.CachedRsa(702));
        var encryption = TestPki.CreateRa(ca, "CN=Pipeline RA Encryption,O=Scep.Protocol Tests", X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(703));
        return (ca, signing, encryption);
    });

    private static readonly Lazy<(TestCredential Root, TestCredential Intermediate, TestCredential Issuing)> Chain = new(() =>
    {
        var root = TestPki.CreateCa("CN=Pipeline Test Root,O=Scep.Protocol Tests", TestPki.CachedRsa(704));
        var intermediate = TestPki.CreateCa("CN=Pipeline Test Intermediate,O=Scep.Protocol Tests", TestPki.CachedRsa(705), issuer: root);
        var issuing = TestPki.CreateCa("CN=Pipeline Test Issuing CA,O=Scep.Protocol Tests", TestPki.CachedRsa(706), issuer: intermediate);
        return (root, intermediate, issuing);
    });

    /// <summary>A CA whose SCEP messages an RA pair carries: one certificate signs replies (digitalSignature), the other decrypts requests (keyEncipherment).</summary>
    public static (TestCredential Ca, TestCredential Signing, TestCredential Encryption) RaCertificates => Ra.Value;

    /// <summary>Root, intermediate, and the issuing CA below them.</summary>
    public static (TestCredential Root, TestCredential Intermediate, TestCredential Issuing) IssuingCaChain => Chain.Value;

    public static PipelineServer RaCertificateServer()
    {
        var (ca, signing, encryption) = RaCertificates;
        return PipelineServer.Create(ca: ca, credentials: new ScepCaCredentials
        {
            CaCertificate = ca.Certificate,
            DecryptionCertificate = encryption.Certificate,
            DecryptionKey = encryption.Rsa,
            SigningCertificate = signing.Certificate,
            SigningKey = signing.Key,
        });
    }

    public static PipelineServer IssuingCaChainServer()
    {
        var (root, intermediate, issuing) = IssuingCaChain;
        return PipelineServer.Create(ca: issuing, credentials: ScepCaCredentials.ForCa(issuing.Certificate, issuing.Rsa, [intermediate.Certificate, root.Certificate]));
    }
}
