using System;
using System.IO;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Pkcs11.Tests;

/// <summary>
/// SoftHSM2 (Debian package softhsm2) for every test of this assembly: one configuration and token folder, set in
/// SOFTHSM2_CONF before anything loads the module (SoftHSM2 reads it at C_Initialize), and a token per test group
/// made by softhsm2-util. A missing SoftHSM2 makes the tests ignored with install advice, and failed under CI=true.
/// </summary>
[SetUpFixture]
public sealed class SoftHsm
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string SoPin = "5678-so";
    private static TempDirectory? _directory;

    public static string Directory => _directory!.Path;

    public static string TokenFolder => Path.Combine(Directory, "tokens");

    [OneTimeSetUp]
    public void Configure()
    {
        _directory = new TempDirectory("scep-softhsm-");
        System.IO.Directory.CreateDirectory(TokenFolder);
        var configuration = Path.Combine(Directory, "softhsm2.conf");
        File.WriteAllText(configuration, $"directories.tokendir = {TokenFolder}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // .NET's SetEnvironmentVariable does not reach native code's getenv on Unix: SoftHSM2 reads the C environment.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", configuration);
        setenv("SOFTHSM2_CONF", configuration, 1).Should().Be(0);
    }

#pragma warning disable CA2101 // The strings are marshalled as UTF-8 (LPUTF8Str), which the rule does not know.
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int setenv([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string name, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore CA2101

    [OneTimeTearDown]
    public void Remove() => _directory?.Dispose();

    /// <summary>Initialises a token with <paramref name="label"/> and <paramref name="pin"/>, and writes the PIN to a file; returns the PIN file and the token's folder.</summary>
    public static async Task<(string PinFile, string Folder)> CreateTokenAsync(string label, string pin)
    {
        var before = System.IO.Directory.GetDirectories(TokenFolder);
        var util = ExternalPeer.Require("softhsm2-util", "apt-get install -y softhsm2");
        if (!File.Exists(Module))
        {
            ExternalPeer.Require(Module, "apt-get install -y softhsm2");
        }

        var run = await ExternalPeer.RunAsync(util, ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SoPin]);
        run.ExitCode.Should().Be(0, run.Output + run.Error);
        var pinFile = Path.Combine(Directory, label + ".pin");
        await File.WriteAllTextAsync(pinFile, pin + "\n");
        var folder = System.Linq.Enumerable.Single(System.Linq.Enumerable.Except(System.IO.Directory.GetDirectories(TokenFolder), before));
        return (pinFile, folder);
    }

    public static Pkcs11Uri Uri(string token, string pinFile, string? objectLabel = null) =>
        Pkcs11Uri.Parse($"pkcs11:token={token}{(objectLabel is null ? string.Empty : ";object=" + objectLabel)}?module-path={Module}&pin-source=file:{pinFile}");
}
