using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>
/// A SoftHSM2 token of its own (Debian package softhsm2): a configuration file and a token folder under
/// <paramref name="directory"/>, a token initialised with softhsm2-util, and the settings that point the sample host at
/// it (<c>SOFTHSM2_CONF</c>, <c>SampleHost:CaKey</c> as an RFC 7512 URI with the PIN in a file). The token can be pulled
/// (its folder moved away, as if the device were unplugged) and put back.
/// </summary>
public sealed class SoftHsmToken
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Install = "apt-get install -y softhsm2";

    private SoftHsmToken(string directory, string label, string pin)
    {
        Directory = directory;
        Label = label;
        Pin = pin;
    }

    public string Directory { get; }

    public string Label { get; }

    public string Pin { get; }

    public string ConfigurationFile => Path.Combine(Directory, "softhsm2.conf");

    public string TokenFolder => Path.Combine(Directory, "tokens");

    public string PinFile => Path.Combine(Directory, "pin");

    private string PulledFolder => Path.Combine(Directory, "pulled");

    /// <summary>The URI of the CA key object <paramref name="objectLabel"/>, the PIN read from <see cref="PinFile"/>.</summary>
    public string KeyUri(string objectLabel = "scep-ca") =>
        $"pkcs11:token={Label};object={objectLabel}?module-path={Module}&pin-source=file:{PinFile}";

    /// <summary>The sample host's settings for a CA key in this token.</summary>
    public Dictionary<string, string> HostSettings(string objectLabel = "scep-ca") => new()
    {
        ["SOFTHSM2_CONF"] = ConfigurationFile,
        ["SampleHost__CaKey"] = KeyUri(objectLabel),
    };

    /// <summary>Creates the configuration and initialises a token (ignored with install advice when SoftHSM2 is missing, failed under CI).</summary>
    public static async Task<SoftHsmToken> CreateAsync(string directory, string label = "scep-test", string pin = "1234-token-pin")
    {
        var util = ExternalPeer.Require("softhsm2-util", Install);
        if (!File.Exists(Module))
        {
            ExternalPeer.Require(Module, Install);
        }

        var token = new SoftHsmToken(directory, label, pin);
        System.IO.Directory.CreateDirectory(token.TokenFolder);
        await File.WriteAllTextAsync(token.ConfigurationFile, $"directories.tokendir = {token.TokenFolder}\nobjectstore.backend = file\nlog.level = ERROR\n");
        await File.WriteAllTextAsync(token.PinFile, pin + "\n");
        if (!System.OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(token.PinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var init = await token.RunAsync(util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "5678-so-pin");
        init.ExitCode.Should().Be(0, init.Output + init.Error);
        return token;
    }

    /// <summary>Pulls the token: its folder leaves the token directory, so SoftHSM2 no longer finds it.</summary>
    public void Pull()
    {
        System.IO.Directory.CreateDirectory(PulledFolder);
        foreach (var folder in System.IO.Directory.GetDirectories(TokenFolder))
        {
            System.IO.Directory.Move(folder, Path.Combine(PulledFolder, Path.GetFileName(folder)));
        }
    }

    /// <summary>Puts a pulled token back.</summary>
    public void PutBack()
    {
        foreach (var folder in System.IO.Directory.GetDirectories(PulledFolder))
        {
            System.IO.Directory.Move(folder, Path.Combine(TokenFolder, Path.GetFileName(folder)));
        }
    }

    /// <summary>The labels of the objects in the token, by softhsm2-util's view of the folder: the object files present.</summary>
    public int ObjectFileCount() =>
        System.IO.Directory.GetDirectories(TokenFolder).Sum(folder => System.IO.Directory.GetFiles(folder, "*.object").Length);

    private Task<ExternalPeer.Result> RunAsync(string program, params string[] arguments) =>
        ExternalPeer.RunAsync("env", ["SOFTHSM2_CONF=" + ConfigurationFile, program, .. arguments]);
}
