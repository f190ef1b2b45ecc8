using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// Two sample hosts as real processes: an upstream CA and, in front of it, an RA whose aliases forward to it (the
/// <c>Upstream</c> section). Set up as an operator would: the RA's certificate is enrolled at the upstream (CA mode, a
/// one-time code), then the upstream is started again trusting that certificate on its RA-facing aliases
/// (<c>TrustedRaSigners</c>). Each host keeps its port across restarts, as its clients expect.
/// </summary>
internal sealed class UpstreamTopology : IAsyncDisposable
{
    private readonly int _upstreamPort = HostProcess.FreePort();
    private readonly int _raPort = HostProcess.FreePort();
    private readonly IReadOnlyDictionary<string, string> _raExtra;

    private UpstreamTopology(IReadOnlyDictionary<string, string> raExtra)
    {
        _raExtra = raExtra;
    }

    public TempDirectory Directory { get; } = new("scep-upstream-");

    public HostProcess Upstream { get; private set; } = null!;

    public HostProcess Ra { get; private set; } = null!;

    public X509Certificate2 UpstreamCa { get; private set; } = null!;

    public string UpstreamCaPem => Directory.File("upstream-ca.pem");

    public X509Certificate2 RaCertificate { get; private set; } = null!;

    public string RaUrl(string alias) => $"{Ra.BaseUrl}/scep/{alias}/pkiclient.exe";

    /// <summary>The upstream's aliases for the RA: <c>from-ra</c> issues at once, <c>from-ra-approval</c> waits for an operator.</summary>
    public IReadOnlyDictionary<string, string> UpstreamSettings(string raFingerprint) => new Dictionary<string, string>
    {
        ["SampleHost__CaSubject"] = "CN=Upstream Test CA,O=Scep.Protocol",
        ["SampleHost__CaKeySize"] = "2048",
        ["Scep__Aliases__from-ra__Mode"] = "Ra",
        ["Scep__Aliases__from-ra__TrustedRaSigners__0"] = raFingerprint,
        ["Scep__Aliases__from-ra-approval__Mode"] = "Ra",
        ["Scep__Aliases__from-ra-approval__TrustedRaSigners__0"] = raFingerprint,
        ["SampleHost__ApprovalAliases__0"] = "from-ra-approval",
    };

    /// <summary>
    /// The RA: its own CA (unused by the upstream aliases), <c>edge</c> (RA mode, a challenge, legacy ciphers too) and <c>edge-ca</c> (CA mode,
    /// enrollment codes) forwarding to <paramref name="upstreamAlias"/>, polling every second.
    /// </summary>
    public IReadOnlyDictionary<string, string> RaSettings(string upstreamAlias = "from-ra")
    {
        var settings = RaSettingsFor($"http://127.0.0.1:{_upstreamPort}/scep/{upstreamAlias}/pkiclient.exe", UpstreamCaPem, Directory.File("ra.p12"), RaSetup.EdgeChallenge);
        foreach (var (key, value) in _raExtra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>An RA's settings for an upstream at <paramref name="upstreamUrl"/>, polling every second, with its alias <c>edge</c> and <c>edge-ca</c>.</summary>
    public static Dictionary<string, string> RaSettingsFor(string upstreamUrl, string caPem, string raP12, string edgeChallenge)
    {
        var settings = RaSetup.EdgeAlias(edgeChallenge);
        settings["SampleHost__CaSubject"] = "CN=RA Local CA,O=Scep.Protocol";
        settings["SampleHost__CaKeySize"] = "2048";
        settings["Upstream__Url"] = upstreamUrl;
        settings["Upstream__CaCertificateFile"] = caPem;
        settings["Upstream__RaCertificateFile"] = raP12;
        settings["Upstream__RaPassphrase"] = RaSetup.RaPassphrase;
        settings["Upstream__RetryDelay"] = "00:00:01";
        settings["Upstream__MaxRetryDelay"] = "00:00:02";
        settings["Upstream__PollInterval"] = "00:00:01";
        settings["Upstream__RequestTimeout"] = "00:00:10";
        settings["Scep__Aliases__edge-ca__Mode"] = "Ca";
        settings["Scep__Aliases__edge-ca__CaName"] = "upstream";
        return settings;
    }

    public static async Task<UpstreamTopology> StartAsync(IReadOnlyDictionary<string, string>? raExtra = null, string upstreamAlias = "from-ra")
    {
        var topology = new UpstreamTopology(raExtra ?? new Dictionary<string, string>());
        try
        {
            await topology.BootstrapAsync();
            topology.Ra = await HostProcess.StartAsync(topology.Directory.Sub("ra-data"), topology.RaSettings(upstreamAlias), port: topology._raPort);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the upstream, enrolls the RA's certificate there, and starts the upstream again trusting it.</summary>
    private async Task BootstrapAsync()
    {
        var data = Directory.Sub("upstream-data");
        var first = UpstreamSettings(new string('0', 64));
        Upstream = await HostProcess.StartAsync(data, first, port: _upstreamPort);
        UpstreamCa = await RaSetup.CaCertificateAsync(Upstream, UpstreamCaPem);
        RaCertificate = await RaSetup.EnrollRaCertificateAsync(Upstream, "edge-ra", "CN=Edge RA,O=Example", Directory.File("ra.p12"));

        await Upstream.StopAsync();
        await Upstream.DisposeAsync();
        Upstream = await HostProcess.StartAsync(data, UpstreamSettings(Convert.ToHexString(SHA256.HashData(RaCertificate.RawData))), port: _upstreamPort);
    }

    public async Task StopUpstreamAsync()
    {
        await Upstream.StopAsync();
        await Upstream.DisposeAsync();
    }

    public async Task StartUpstreamAgainAsync() =>
        Upstream = await HostProcess.StartAsync(Upstream.DataDirectory, Upstream.Environment, port: _upstreamPort);

    /// <summary>SIGKILLs the RA and starts it again on its data folder and port.</summary>
    public async Task KillAndRestartRaAsync()
    {
        Ra.Kill();
        await Ra.DisposeAsync();
        Ra = await HostProcess.StartAsync(Ra.DataDirectory, RaSettings(), port: _raPort);
    }

    /// <summary>The upstream's requests waiting for approval, by id, with their subject.</summary>
    public async Task<IReadOnlyList<(string Id, string Subject)>> UpstreamPendingAsync()
    {
        var listed = await Upstream.AdminAsync("list-pending");
        listed.ExitCode.Should().Be(0, listed.Error);
        return listed.Output.Split('\n')
            .Select(line => Regex.Match(line, "^([0-9A-F]{12,})\\s+\\S+\\s+(.+?)\\s{2,}"))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
    }

    /// <summary>How many certificates the upstream lists for <paramref name="commonName"/>.</summary>
    public Task<int> UpstreamCertificateCountAsync(string commonName) => RaSetup.CertificateCountAsync(Upstream.Environment, commonName);

    public async ValueTask DisposeAsync()
    {
        if (Ra is not null)
        {
            await Ra.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        Directory.Dispose();
    }
}
