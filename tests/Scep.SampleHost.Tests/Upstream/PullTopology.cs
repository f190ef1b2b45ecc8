using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>
/// EJBCA's External RA model on two sample host processes: the RA (<c>Upstream:Mode=Pull</c>) is the only one devices
/// reach; it queues what it authorized and answers PENDING. The CA (<c>ExternalRa</c> section) only calls out: over TLS
/// with a client certificate the RA pins (admin API, role Operator), the RA's server certificate pinned in turn, it lists
/// the queue, issues, and delivers. Each keeps its data folder and ports across kills and restarts.
/// </summary>
internal sealed class PullTopology : IAsyncDisposable
{
    private const string Passphrase = "pull-topology-p12";
    private readonly int _caPort = HostProcess.FreePort();
    private readonly int _raPort = HostProcess.FreePort();
    private readonly int _raHttpsPort = HostProcess.FreePort();
    private readonly X509Certificate2 _raTls = TlsCertificates.SelfSigned("CN=127.0.0.1", serverAuth: true);
    private readonly X509Certificate2 _puller = TlsCertificates.SelfSigned("CN=pulling-ca", serverAuth: false);

    public TempDirectory Directory { get; } = new("scep-pull-");

    public HostProcess? Ca { get; private set; }

    public HostProcess? Ra { get; private set; }

    public X509Certificate2 CaCertificate { get; private set; } = null!;

    public string RaUrl(string alias = "edge") => $"http://127.0.0.1:{_raPort}/scep/{alias}/pkiclient.exe";

    /// <summary>Starts the CA, enrolls the RA's certificate there, and starts the RA (unless told not to).</summary>
    public static async Task<PullTopology> StartAsync(bool startRa = true)
    {
        var topology = new PullTopology();
        try
        {
            await File.WriteAllBytesAsync(topology.Directory.File("ra-tls.pfx"), topology._raTls.Export(X509ContentType.Pkcs12, Passphrase));
            await File.WriteAllBytesAsync(topology.Directory.File("puller.p12"), topology._puller.Export(X509ContentType.Pkcs12, Passphrase));
            await topology.StartCaAsync();
            await topology.EnrollRaCertificateAsync();
            if (startRa)
            {
                await topology.StartRaAsync();
            }

            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or starts again) the CA; <paramref name="killAt"/> makes it SIGKILL itself at that point (FaultInjection).</summary>
    public async Task StartCaAsync(string? killAt = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["SampleHost__CaSubject"] = "CN=Pulling CA,O=Scep.Protocol",
            ["SampleHost__CaKeySize"] = "2048",
            ["ExternalRa__Url"] = $"https://127.0.0.1:{_raHttpsPort}/admin/api/v1/upstream/requests",
            ["ExternalRa__ClientCertificateFile"] = Directory.File("puller.p12"),
            ["ExternalRa__ClientCertificatePassphrase"] = Passphrase,
            ["ExternalRa__ServerCertificateSha256"] = _raTls.GetCertHashString(HashAlgorithmName.SHA256),
            ["ExternalRa__PollInterval"] = "00:00:00.200",
            ["ExternalRa__Timeout"] = "00:00:10",
        };
        if (killAt is not null)
        {
            settings["SCEP_SAMPLEHOST_KILL_AT"] = killAt;
        }

        Ca = await HostProcess.StartAsync(Directory.Sub("ca-data"), settings, port: _caPort);
    }

    /// <summary>Starts (or starts again) the RA; <paramref name="killAt"/> makes it SIGKILL itself at that point.</summary>
    public async Task StartRaAsync(string? killAt = null)
    {
        var settings = RaSetup.EdgeAlias(RaSetup.EdgeChallenge);
        settings["SampleHost__CaSubject"] = "CN=External RA Local CA,O=Scep.Protocol";
        settings["SampleHost__CaKeySize"] = "2048";
        settings["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{_raPort}";
        settings["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{_raHttpsPort}";
        settings["Kestrel__Endpoints__Https__Certificate__Path"] = Directory.File("ra-tls.pfx");
        settings["Kestrel__Endpoints__Https__Certificate__Password"] = Passphrase;
        settings["AdminApi__ClientCertificates__0__Name"] = "pulling-ca";
        settings["AdminApi__ClientCertificates__0__Sha256"] = _puller.GetCertHashString(HashAlgorithmName.SHA256);
        settings["AdminApi__ClientCertificates__0__Role"] = "Operator";
        settings["Upstream__Mode"] = "Pull";
        settings["Upstream__CaCertificateFile"] = Directory.File("ca.pem");
        settings["Upstream__RaCertificateFile"] = Directory.File("ra.p12");
        settings["Upstream__RaPassphrase"] = RaSetup.RaPassphrase;
        if (killAt is not null)
        {
            settings["SCEP_SAMPLEHOST_KILL_AT"] = killAt;
        }

        Ra = await HostProcess.StartAsync(Directory.Sub("ra-data"), settings, port: _raPort);
    }

    public async Task StopCaAsync()
    {
        if (Ca is not null)
        {
            await Ca.DisposeAsync();
            Ca = null;
        }
    }

    /// <summary>SIGKILLs the RA (as a crash would).</summary>
    public async Task KillRaAsync()
    {
        if (Ra is not null)
        {
            Ra.Kill();
            await Ra.DisposeAsync();
            Ra = null;
        }
    }

    /// <summary>Waits until <paramref name="host"/> has exited (it killed itself at its fault point), within 60 seconds.</summary>
    public static async Task WaitForExitAsync(HostProcess host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!host.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        host.HasExited.Should().BeTrue("the host was to kill itself at its fault point");
        await host.DisposeAsync();
    }

    /// <summary>How many certificates the CA lists for <paramref name="commonName"/>.</summary>
    public Task<int> CaCertificateCountAsync(string commonName) => RaSetup.CertificateCountAsync(Ca!.Environment, commonName);

    private async Task EnrollRaCertificateAsync()
    {
        CaCertificate = await RaSetup.CaCertificateAsync(Ca!, Directory.File("ca.pem"));
        using var ra = await RaSetup.EnrollRaCertificateAsync(Ca!, "external-ra", "CN=External RA,O=Example", Directory.File("ra.p12"));
    }

    /// <summary>The last lines each process logged, for a failure's message.</summary>
    public string Logs() =>
        $"CA:\n{string.Join('\n', (Ca?.Output ?? string.Empty).Split('\n').TakeLast(15))}\nRA:\n{string.Join('\n', (Ra?.Output ?? string.Empty).Split('\n').TakeLast(15))}";

    public async ValueTask DisposeAsync()
    {
        if (Ra is not null)
        {
            await Ra.DisposeAsync();
        }

        if (Ca is not null)
        {
            await Ca.DisposeAsync();
        }

        _raTls.Dispose();
        _puller.Dispose();
        Directory.Dispose();
    }
}
