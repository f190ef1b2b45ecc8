using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// Drives micromdm's <c>scepclient</c> (Debian package <c>scep</c>). Quirks: it re-uses a csr.pem found next to
/// the key (ignoring -cn) and turns the request into a renewal when the certificate file exists, so every
/// run needs a fresh folder; an existing key must be PKCS#1 PEM.
/// </summary>
public static class MicromdmScepClient
{
    public const string Install = "apt-get install -y scep";

    /// <summary>One run: the process result and where scepclient keeps its files.</summary>
    public sealed record Run(ExternalPeer.Result Result, string KeyPath, string CsrPath, string CertificatePath);

    public static string Require() => ExternalPeer.Require("scepclient", Install);

    /// <summary>
    /// <c>scepclient -private-key key.pem -certificate cert.pem -cn CN -challenge C -server-url URL</c> in
    /// <paramref name="directory"/>, which must not hold a previous run's files.
    /// </summary>
    /// <param name="keyPem">A PKCS#1 RSA key to use; null lets scepclient generate one.</param>
    public static async Task<Run> EnrollAsync(TempDirectory directory, string url, string commonName, string? challenge, string? keyPem = null)
    {
        var program = Require();
        var keyPath = directory.File("key.pem");
        var csrPath = directory.File("csr.pem");
        var certificatePath = directory.File("cert.pem");
        if (File.Exists(csrPath) || File.Exists(certificatePath))
        {
            throw new InvalidOperationException($"{directory.Path} was used by an earlier scepclient run; use a fresh folder.");
        }

        if (keyPem is not null)
        {
            await File.WriteAllTextAsync(keyPath, keyPem);
        }

        var arguments = new List<string> { "-private-key", keyPath, "-certificate", certificatePath, "-cn", commonName, "-server-url", url };
        if (challenge is not null)
        {
            arguments.AddRange(["-challenge", challenge]);
        }

        var result = await ExternalPeer.RunAsync(program, [.. arguments], TimeSpan.FromSeconds(60), directory.Path);
        return new Run(result, keyPath, csrPath, certificatePath);
    }
}
