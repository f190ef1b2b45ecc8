using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>The golden files in TestVectors/ (copied next to the test assembly); see TestVectors/README.md for where each came from.</summary>
public static class TestVectors
{
    public static string Directory => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestVectors");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] ReadBytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string ReadText(string name) => File.ReadAllText(PathOf(name));

    /// <summary>The throwaway CA the captured requests are encrypted to: ca.pem and ca-key.pem.</summary>
    public static TestCredential GoldenCa => LoadCredential(PathOf("ca.pem"), PathOf("ca-key.pem"));

    /// <summary>A certificate and its RSA key from two PEM files.</summary>
    public static TestCredential LoadCredential(string certificatePath, string keyPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        return new TestCredential(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }
}
