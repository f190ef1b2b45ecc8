using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml.Linq;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Consumer;

/// <summary>
/// Issue 15: a stranger's server, <c>samples/Scep.MinimalServer</c>, built only from the packages CI has just packed into
/// <c>artifacts/packages</c> (PackageReference through its own NuGet.config, no ProjectReference), started, and enrolled
/// by micromdm's scepclient and certmonger; openssl verifies what they got. Its Program.cs is the example of
/// docs/server.md and of the Scep.Protocol.Server package README, word for word.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MinimalServerTests
{
    private static readonly string App = Path.Combine(RepositoryRoot.Path, "samples", "Scep.MinimalServer");
    private static readonly string Packages = Path.Combine(RepositoryRoot.Path, "artifacts", "packages");

    [Test]
    public void ProgramCs_IsTheExampleOfServerMdAndThePackageReadme_AndShort()
    {
        var program = File.ReadAllText(Path.Combine(App, "Program.cs")).TrimEnd();

        foreach (var document in new[] { Path.Combine(RepositoryRoot.Path, "docs", "server.md"), Path.Combine(RepositoryRoot.Path, "src", "Scep.Protocol.Server", "README.md") })
        {
            CSharpBlocks(File.ReadAllText(document)).Should().Contain(program, $"{Path.GetFileName(document)} shows samples/Scep.MinimalServer/Program.cs as it is");
        }

        program.Split('\n').Count(l => l.Trim().Length > 0).Should().BeLessThanOrEqualTo(15, "a stranger's RA-mode server with the shipped stores and issuer");
    }

    [Test]
    public void Project_ReferencesThePackages_AtTheRepositoryVersion_AndNoProject()
    {
        var project = XDocument.Load(Path.Combine(App, "Scep.MinimalServer.csproj"));
        var version = XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

        project.Descendants("ProjectReference").Should().BeEmpty();
        project.Descendants("PackageReference").Select(p => (string)p.Attribute("Include")!).Should().OnlyContain(id => id.StartsWith("Scep.Protocol.", StringComparison.Ordinal));
        project.Descendants("PackageReference").Select(p => (string)p.Attribute("Version")!).Should().OnlyContain(v => v == version);
    }

    [Test]
    public async Task BuiltFromThePackedPackages_RealClientsEnroll_AndOpensslVerifies()
    {
        if (!Directory.Exists(Packages) || !Directory.EnumerateFiles(Packages, "Scep.Protocol.Server.*.nupkg").Any())
        {
            var message = $"No packages in {Packages}: run `dotnet pack -c Release -o artifacts/packages` first (.ci/run does).";
            if (ExternalPeer.IsCi)
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        ExternalPeer.Require("openssl", "apt-get install -y openssl");
        using var work = new TempDirectory("scep-minimal-");

        // Restored into its own folder, stale copies of this version dropped: every pack makes the same version.
        var restored = Path.Combine(RepositoryRoot.Path, "artifacts", "consumer-packages");
        foreach (var stale in Directory.Exists(restored) ? Directory.GetDirectories(restored, "scep.protocol*") : [])
        {
            Directory.Delete(stale, recursive: true);
        }

        var output = Path.Combine(work.Path, "bin");
        var build = await ExternalPeer.RunAsync("dotnet", ["build", App, "-c", "Release", "--packages", restored, "-o", output, "-nologo"], TimeSpan.FromMinutes(5));
        build.ExitCode.Should().Be(0, build.Output + build.Error);
        foreach (var package in Directory.GetDirectories(restored, "scep.protocol*"))
        {
            var metadata = Directory.GetFiles(package, ".nupkg.metadata", SearchOption.AllDirectories).Single();
            using var json = JsonDocument.Parse(File.ReadAllText(metadata));
            Path.GetFullPath(json.RootElement.GetProperty("source").GetString()!).TrimEnd('/').Should().Be(Packages, $"{Path.GetFileName(package)} comes from the local feed");
        }

        var caPem = await CreateCaAsync(work.Path);
        var port = FreePort();
        var server = await StartAsync(output, work.Path, port);
        await using (server)
        {
            var url = $"http://127.0.0.1:{port}/scep/ra/pkiclient.exe";
            foreach (var (script, name) in new[] { ("enroll-scepclient.sh", "minimal-scepclient"), ("enroll-certmonger.sh", "minimal-certmonger") })
            {
                var folder = Path.Combine(work.Path, name);
                var enroll = await ExternalPeer.RunAsync("bash", [Path.Combine(AppContext.BaseDirectory, "Interop", script), url, name, "change-me", folder, "60"], TimeSpan.FromSeconds(90));
                enroll.ExitCode.Should().Be(0, $"{script}: {enroll.Output}{enroll.Error}\nserver:\n{server.Output}");
                await EnrollScripts.ShouldVerifyAsync(Path.Combine(folder, "cert.pem"), caPem);
            }
        }
    }

    private static async Task<string> CreateCaAsync(string folder)
    {
        // The recipe of samples/Scep.MinimalServer/README.md.
        var key = Path.Combine(folder, "ca.key");
        var pem = Path.Combine(folder, "ca.crt");
        var request = await ExternalPeer.RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-days", "3650", "-subj", "/CN=Minimal SCEP CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign"]);
        request.ExitCode.Should().Be(0, request.Error);
        var export = await ExternalPeer.RunAsync("openssl", ["pkcs12", "-export", "-in", pem, "-inkey", key, "-out", Path.Combine(folder, "ca.p12"), "-passout", "pass:change-me"]);
        export.ExitCode.Should().Be(0, export.Error);
        return pem;
    }

    private static async Task<RunningServer> StartAsync(string output, string folder, int port)
    {
        var server = new RunningServer(
            "dotnet",
            [Path.Combine(output, "Scep.MinimalServer.dll"), "--urls", $"http://127.0.0.1:{port}", "--contentRoot", output,
             "--CaFile", Path.Combine(folder, "ca.p12"), "--Database", Path.Combine(folder, "scep.db")]);
        await server.WaitUntilAnsweringAsync($"http://127.0.0.1:{port}/scep/ra/pkiclient.exe?operation=GetCACaps");
        return server;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The ```csharp blocks of a Markdown document, trimmed.</summary>
    private static IEnumerable<string> CSharpBlocks(string markdown) =>
        Regex.Matches(markdown, "```csharp\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value.TrimEnd());
}
