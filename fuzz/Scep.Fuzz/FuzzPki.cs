using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Fuzz;

/// <summary>
/// The golden test CA (tests/Scep.Protocol.Tests/TestVectors/ca.pem and ca-key.pem): the seed requests are encrypted
/// to it, so fuzzed inputs reach decryption. Shared with the regression tests that replay the fuzzer's findings.
/// </summary>
internal sealed record FuzzPki(X509Certificate2 Ca, RSA Key)
{
    /// <summary>Loads <c>ca.pem</c> and <c>ca-key.pem</c> from <paramref name="directory"/>.</summary>
    public static FuzzPki Load(string directory)
    {
        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "ca-key.pem"));
        var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("The fuzz CA key is not RSA.");
        return new FuzzPki(certificate, key);
    }
}
