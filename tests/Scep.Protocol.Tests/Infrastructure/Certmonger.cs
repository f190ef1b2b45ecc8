using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>
/// Drives certmonger (Debian package <c>certmonger</c>) without D-Bus and without touching system state:
/// the daemon runs as <c>certmonger -n -L -P SOCK -c "bash inner.sh"</c> with its state folders redirected
/// through <c>CERTMONGER_*_DIR</c> variables, and exits when inner.sh (<c>getcert add-scep-ca</c> then
/// <c>getcert request -w</c>) ends. The daemon itself builds the PKCSReq.
/// </summary>
public static class Certmonger
{
    public const string Install = "apt-get install -y certmonger";

    /// <summary>The outcome of one enrollment.</summary>
    /// <param name="DaemonExitCode">certmonger's exit code.</param>
    /// <param name="RequestExitCode">getcert request's exit code, or null when it did not run to the end.</param>
    /// <param name="CertificatePath">Where certmonger was told to write the certificate.</param>
    /// <param name="KeyPath">The private key certmonger used.</param>
    /// <param name="Status">The request's state from <c>getcert list</c> (MONITORING, CA_REJECTED, CA_UNREACHABLE, ...), or null.</param>
    /// <param name="CaError">The <c>ca-error</c> line of <c>getcert list</c>, or null.</param>
    /// <param name="Diagnostics">getcert list output and the daemon log, for assertion messages.</param>
    public sealed record Enrollment(int DaemonExitCode, int? RequestExitCode, string CertificatePath, string KeyPath, string? Status, string? CaError, string Diagnostics);

    /// <summary>Finds certmonger, getcert and scep-submit, or ignores the test (fails it under CI).</summary>
    public static (string Daemon, string Getcert, string Submit) Require()
    {
        var daemon = ExternalPeer.Require("certmonger", Install);
        var getcert = ExternalPeer.Require("getcert", Install);
        var submit = ExternalPeer.Require("scep-submit", Install);
        ExternalPeer.Require("env", "apt-get install -y coreutils");
        return (daemon, getcert, submit);
    }

    /// <summary>The standalone helper's GetCACert: the CA certificates as PEM (what <c>getcert add-scep-ca -N</c> wants).</summary>
    public static async Task<string> GetCaCertificatesPemAsync(string url)
    {
        var (_, _, submit) = Require();
        var result = await ExternalPeer.RunAsync(submit, ["-u", url, "-C"], TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"scep-submit -C failed ({result.ExitCode}): {result.Error}");
        }

        return result.Output;
    }

    /// <summary>The standalone helper's GetCACaps output.</summary>
    public static async Task<ExternalPeer.Result> GetCapabilitiesAsync(string url)
    {
        var (_, _, submit) = Require();
        return await ExternalPeer.RunAsync(submit, ["-u", url, "-c"], TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// One enrollment through the daemon: <c>getcert add-scep-ca -c CA -u URL -N ca.pem</c>, then
    /// <c>getcert request ... -N CN=cn -L challenge -w</c>. With <paramref name="keyPem"/> certmonger uses that key
    /// (no key generation); otherwise it generates RSA 2048.
    /// </summary>
    public static async Task<Enrollment> EnrollAsync(TempDirectory directory, string url, string caPem, string commonName, string? challenge, string? keyPem = null, TimeSpan? timeout = null)
    {
        var (daemon, getcert, _) = Require();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var state = directory.File("state");
        foreach (var folder in new[] { "requests", "cas", "tmp", "conf", "local" })
        {
            Directory.CreateDirectory(Path.Combine(state, folder));
        }

        var caPath = directory.File("ca-chain.pem");
        var keyPath = directory.File("key.pem");
        var certificatePath = directory.File("cert.pem");
        var listPath = Path.Combine(state, "getcert-list.txt");
        var rcPath = Path.Combine(state, "request.rc");
        await File.WriteAllTextAsync(caPath, caPem);
        if (keyPem is not null)
        {
            await File.WriteAllTextAsync(keyPath, keyPem);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var challengeArguments = challenge is null ? string.Empty : " -L " + Quote(challenge);
        var waitSeconds = Math.Max(5, (int)limit.TotalSeconds - 10);
        string[] script =
        [
            "set -u",
            Quote(getcert) + " add-scep-ca -c TESTSCEP -u " + Quote(url) + " -N " + Quote(caPath) + " || exit 10",
            Quote(getcert) + " request -c TESTSCEP -I test1 -k " + Quote(keyPath) + " -f " + Quote(certificatePath) + " -N " + Quote("CN=" + commonName)
                + challengeArguments + " -w --wait-timeout=" + waitSeconds.ToString(CultureInfo.InvariantCulture) + " -v",
            "rc=$?",
            Quote(getcert) + " list -i test1 > " + Quote(listPath) + " 2>&1",
            "echo $rc > " + Quote(rcPath),
        ];
        var innerPath = Path.Combine(state, "inner.sh");
        await File.WriteAllLinesAsync(innerPath, script);

        var arguments = new List<string>
        {
            $"CERTMONGER_REQUESTS_DIR={state}/requests",
            $"CERTMONGER_CAS_DIR={state}/cas",
            $"CERTMONGER_TMPDIR={state}/tmp",
            $"CERTMONGER_CONFIG_DIR={state}/conf",
            $"CERTMONGER_LOCAL_CA_DIR={state}/local",
            $"CERTMONGER_SYSTEM_LOCK_FILE={state}/lock",
            daemon, "-n", "-L", "-P", Path.Combine(state, "sock"), "-c", $"bash {Quote(innerPath)}",
        };
        var result = await ExternalPeer.RunAsync("env", [.. arguments], limit, directory.Path);
        int? requestExitCode = File.Exists(rcPath) && int.TryParse((await File.ReadAllTextAsync(rcPath)).Trim(), out var rc) ? rc : null;
        var list = File.Exists(listPath) ? await File.ReadAllTextAsync(listPath) : "(no getcert list output)";
        var log = string.Join('\n', (result.Output + result.Error).Split('\n').Where(l => !l.Contains("Wrote to", StringComparison.Ordinal)).TakeLast(15));
        return new Enrollment(result.ExitCode, requestExitCode, certificatePath, keyPath, ListValue(list, "status"), ListValue(list, "ca-error"), $"getcert list:\n{list}\ndaemon log (tail):\n{log}");
    }

    private static string? ListValue(string list, string name)
    {
        var prefix = name + ":";
        return list.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim();
    }

    /// <summary>A single-quoted shell word.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
