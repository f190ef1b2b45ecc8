using System;
using System.IO;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>The real clients' enrollment scripts beside the tests (Interop/enroll-scepclient.sh, enroll-certmonger.sh).</summary>
internal static class EnrollScripts
{
    /// <summary>
    /// One enrollment by <paramref name="script"/> at <paramref name="url"/> into <paramref name="outputDirectory"/> (new);
    /// fails, with <paramref name="logs"/> in the message, when it does not enroll. Returns the certificate's PEM path.
    /// </summary>
    public static async Task<string> EnrollAsync(string script, string url, string commonName, string challenge, string outputDirectory, Func<string>? logs = null)
    {
        var run = await ExternalPeer.RunAsync("bash", [Path.Combine(AppContext.BaseDirectory, "Interop", script), url, commonName, challenge, outputDirectory, "60"], TimeSpan.FromSeconds(90));
        run.ExitCode.Should().Be(0, $"{script} against {url}: {run.Output}{run.Error}\n{logs?.Invoke()}");
        return Path.Combine(outputDirectory, "cert.pem");
    }

    /// <summary>openssl verifies the certificate (PEM file) against the CA certificate (PEM file).</summary>
    public static async Task ShouldVerifyAsync(string certificatePem, string caPem)
    {
        var verify = await ExternalPeer.RunAsync("openssl", ["verify", "-CAfile", caPem, certificatePem]);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain(": OK");
    }
}
