using System;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests.Infrastructure;

/// <summary>The CAs and RA behind <see cref="ScepKestrelHost"/>'s aliases, made once per test run.</summary>
public static class HostPki
{
    private static readonly Lazy<TestCredential> Second = new(() => TestPki.CreateCa("CN=Scep Second Test CA,O=Scep.Protocol Tests", TestPki.CachedRsa(901)));
    private static readonly Lazy<TestCredential> Next = new(() => TestPki.CreateCa("CN=Scep Test CA G2,O=Scep.Protocol Tests", TestPki.CachedRsa(902)));
    private static readonly Lazy<TestCredential> RaCredential = new(() =>
        TestPki.CreateRa(TestPki.Ca, "CN=Scep Test RA,O=Scep.Protocol Tests", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, TestPki.CachedRsa(903)));

    /// <summary>CA <c>default</c> (aliases scep, ra, get-only, post-only): the shared test CA, which signs its own replies.</summary>
    public static TestCredential Ca => TestPki.Ca;

    /// <summary>CA <c>second</c> (alias other).</summary>
    public static TestCredential SecondCa => Second.Value;

    /// <summary>The next CA of CA <c>rolling</c>.</summary>
    public static TestCredential NextCa => Next.Value;

    /// <summary>The RA certificate that decrypts requests and signs replies for CA <c>with-ra</c>.</summary>
    public static TestCredential Ra => RaCredential.Value;

    /// <summary>CA <c>with-ra</c>: the test CA, with the RA certificate for both SCEP keys.</summary>
    public static ScepCaCredentials WithRaCredentials => new()
    {
        CaCertificate = Ca.Certificate,
        DecryptionCertificate = Ra.Certificate,
        DecryptionKey = Ra.Rsa,
        SigningCertificate = Ra.Certificate,
        SigningKey = Ra.Key,
    };

    /// <summary>CA <c>rolling</c>: the test CA with a next CA prepared (GetNextCACert answers).</summary>
    public static ScepCaCredentials RollingCredentials => new()
    {
        CaCertificate = Ca.Certificate,
        DecryptionCertificate = Ca.Certificate,
        DecryptionKey = Ca.Rsa,
        SigningCertificate = Ca.Certificate,
        SigningKey = Ca.Key,
        Next = ScepCaCredentials.ForCa(NextCa.Certificate, NextCa.Rsa),
    };
}
