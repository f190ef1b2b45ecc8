using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>The openssl command line as an independent verifier of what the codecs build.</summary>
public static class OpenSsl
{
    public const string Install = "apt-get install -y openssl";

    /// <summary>
    /// An OpenSSL 3 configuration that activates the legacy provider next to the default one: single DES
    /// (1.3.14.3.2.7) is only in the legacy provider. Use it through OPENSSL_CONF.
    /// </summary>
    public const string LegacyProviderConfig = """
        openssl_conf = openssl_init

        [openssl_init]
        providers = provider_sect

        [provider_sect]
        default = default_sect
        legacy = legacy_sect

        [default_sect]
        activate = 1

        [legacy_sect]
        activate = 1

        """;

    /// <summary>The path of openssl, or the test is ignored (failed under CI).</summary>
    public static string Require() => ExternalPeer.Require("openssl", Install);

    /// <summary>Writes <see cref="LegacyProviderConfig"/> into <paramref name="directory"/> and returns its path.</summary>
    public static string WriteLegacyConfig(TempDirectory directory)
    {
        var path = directory.File("openssl-legacy.cnf");
        File.WriteAllText(path, LegacyProviderConfig);
        return path;
    }

    /// <summary>Runs openssl; with <paramref name="legacyConfig"/>, under OPENSSL_CONF=that file (through env, so no process-wide change).</summary>
    public static Task<ExternalPeer.Result> RunAsync(IEnumerable<string> arguments, string? legacyConfig = null, string? workingDirectory = null)
    {
        var program = Require();
        var list = new List<string>();
        if (legacyConfig is not null)
        {
            list.Add("OPENSSL_CONF=" + legacyConfig);
        }

        list.Add(program);
        list.AddRange(arguments);
        return ExternalPeer.RunAsync("env", [.. list], TimeSpan.FromSeconds(30), workingDirectory);
    }

    /// <summary>Runs openssl and fails the test, with its output, unless it exits with 0.</summary>
    public static async Task<ExternalPeer.Result> RunCheckedAsync(IEnumerable<string> arguments, string? legacyConfig = null, string? workingDirectory = null)
    {
        var argumentList = new List<string>(arguments);
        var result = await RunAsync(argumentList, legacyConfig, workingDirectory);
        result.ExitCode.Should().Be(0, $"openssl {string.Join(' ', argumentList)} should succeed; stdout: {result.Output} stderr: {result.Error}");
        return result;
    }

    /// <summary><c>openssl verify -CAfile</c>: whether <paramref name="certificatePem"/> chains to <paramref name="caPem"/>; the output says why not.</summary>
    public static async Task<ExternalPeer.Result> VerifyCertificateAsync(string caPem, string certificatePem) =>
        await RunAsync(["verify", "-CAfile", caPem, certificatePem]);
}
