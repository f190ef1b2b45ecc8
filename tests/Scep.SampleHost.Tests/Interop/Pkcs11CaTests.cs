using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Interop;

/// <summary>
/// The sample host with its CA key in a SoftHSM2 token (<c>SampleHost:CaKey</c> as a pkcs11: URI): the host creates the
/// key in the token on first start; micromdm's scepclient and certmonger enroll; 32 enrollments at once share the
/// session pool; rollover makes the next key in the token; a wrong PIN stops the start with one line; and a token pulled
/// out under load gives 503 (never a 500 or a crash) until it is back, when enrollments succeed again.
/// </summary>
[NonParallelizable]
public class Pkcs11CaTests
{
    private const string RaChallenge = "change-me";
    private TempDirectory _directory = null!;
    private SoftHsmToken _token = null!;
    private HostProcess _host = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-pkcs11-ca-");
        _token = await SoftHsmToken.CreateAsync(_directory.Sub("softhsm"));
        var settings = _token.HostSettings();
        settings["SampleHost__CaKeySize"] = "2048";
        _host = await HostProcess.StartAsync(_directory.Sub("data"), settings);
        using var http = new HttpClient();
        _ca = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetCACert"));
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
        _ca?.Dispose();
    }

    [Test]
    public void FirstStart_CreatesTheKeyInTheToken_AndKeepsOnlyCertificatesOnDisk()
    {
        File.Exists(Path.Combine(_host.DataDirectory, "ca.pem")).Should().BeTrue();
        File.Exists(Path.Combine(_host.DataDirectory, "ca.p12")).Should().BeFalse("the key is in the token, not in a file");
        _token.ObjectFileCount().Should().BeGreaterThanOrEqualTo(3, "the private key, the public key and the certificate object");
        File.ReadAllText(Path.Combine(_host.DataDirectory, "ca.pem")).Should().NotContain("PRIVATE KEY");
    }

    [Test]
    public async Task MicromdmScepClient_EnrollsWithTheCaKeyInTheToken()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        var added = await _host.AdminAsync("add-entity", "--username", "hsm-mdm", "--password", "Pw-hsm-mdm", "--alias", "legacy");
        added.ExitCode.Should().Be(0, added.Error);

        var certificate = await EnrollAsync("enroll-scepclient.sh", "legacy", "hsm-mdm", "Pw-hsm-mdm");

        await ShouldVerifyAsync(certificate);
    }

    [Test]
    public async Task Certmonger_EnrollsWithTheCaKeyInTheToken()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");

        var certificate = await EnrollAsync("enroll-certmonger.sh", "ra", "hsm-cm", RaChallenge);

        await ShouldVerifyAsync(certificate);
    }

    [Test]
    public async Task ThirtyTwoEnrollmentsAtOnce_AllIssued_WithDistinctSerials()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var client = new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: _ca);
        using var start = new SemaphoreSlim(0);

        var enrollments = Enumerable.Range(0, 32).Select(async i =>
        {
            var device = ScepTestClient.NewDevice($"CN=hsm-load-{i}", RaChallenge, keySlot: 950 + i, _ca);
            await start.WaitAsync();
            return device.IssuedFrom(await client.SendAsync(device.PkcsReq()));
        }).ToList();
        start.Release(32);
        var issued = await Task.WhenAll(enrollments);

        issued.Select(c => c.SerialNumber).Distinct().Should().HaveCount(32);
        issued.Should().OnlyContain(c => c.IssuerName.Name == _ca.SubjectName.Name);
    }

    [Test]
    public async Task RolloverCa_CreatesTheNextKeyInTheToken_AndGetNextCaCertServesIt()
    {
        var before = _token.ObjectFileCount();

        var rolled = await _host.AdminAsync("rollover-ca");

        rolled.ExitCode.Should().Be(0, rolled.Error);
        File.Exists(Path.Combine(_host.DataDirectory, "next-ca.pem")).Should().BeTrue();
        _token.ObjectFileCount().Should().BeGreaterThan(before, "the next CA's key pair and certificate are new token objects");
        using var http = new HttpClient();
        var reply = await http.GetByteArrayAsync(_host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetNextCACert");
        var signed = new SignedCms();
        signed.Decode(reply);
        signed.CheckSignature(new X509Certificate2Collection(_ca), verifySignatureOnly: true);
        var inner = new SignedCms();
        inner.Decode(signed.ContentInfo.Content);
        inner.Certificates.Should().ContainSingle().Which.Thumbprint.Should().NotBe(_ca.Thumbprint);
    }

    [Test]
    public async Task WrongPin_AtStart_OneLineSaysTheTokenRefusedThePin_NeverThePin()
    {
        using var directory = new TempDirectory("scep-pkcs11-wrong-pin-");
        var token = await SoftHsmToken.CreateAsync(directory.Sub("softhsm"), "wrong-pin-token", "right-pin-4321");
        await File.WriteAllTextAsync(token.PinFile, "wrong-pin-8765\n");
        var settings = token.HostSettings();
        settings["SampleHost__DataDirectory"] = directory.Sub("data");

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        HostProcess.ShouldFailInOneLine(run).Should().Contain("SampleHost:CaKey").And.Contain("refused the PIN").And.Contain(token.PinFile)
            .And.NotContain("wrong-pin-8765").And.NotContain("right-pin-4321");
        run.Output.Should().NotContain("wrong-pin-8765");
    }

    [Test]
    public async Task EcdsaCaInTheToken_CertmongerEnrolls()
    {
        ExternalPeer.Require("certmonger", "apt-get install -y certmonger");
        using var directory = new TempDirectory("scep-pkcs11-ecdsa-");
        var token = await SoftHsmToken.CreateAsync(directory.Sub("softhsm"), "ecdsa-token");
        var settings = token.HostSettings();
        settings["SampleHost__CaKeyAlgorithm"] = "EcdsaP256";
        settings["SampleHost__CaKeySize"] = "2048";
        await using var host = await HostProcess.StartAsync(directory.Sub("data"), settings);
        var output = directory.Sub("certmonger");

        var run = await ExternalPeer.RunAsync("bash", [Script("enroll-certmonger.sh"), $"{host.BaseUrl}/scep/ra/pkiclient.exe", "hsm-ec", RaChallenge, output, "60"], TimeSpan.FromSeconds(90));

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        await EnrollScripts.ShouldVerifyAsync(Path.Combine(output, "cert.pem"), Path.Combine(host.DataDirectory, "ca.pem"));
        var text = await ExternalPeer.RunAsync("openssl", ["x509", "-in", Path.Combine(output, "cert.pem"), "-noout", "-text"]);
        text.Output.Should().Contain("ecdsa-with-SHA256");
    }

    [Test]
    public async Task TokenPulledUnderLoad_Is503NeverA500_AndEnrollmentsSucceedOnceItIsBack()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var issuedSerials = new ConcurrentBag<string>();
        var successes = 0;
        var unavailable = 0;
        var pulledAt = new TaskCompletionSource();
        var failedWhilePulled = new TaskCompletionSource();
        var recovered = new TaskCompletionSource();
        var putBack = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        async Task Worker(int worker)
        {
            for (var round = 0; !stop.IsCancellationRequested && !recovered.Task.IsCompleted; round++)
            {
                var device = ScepTestClient.NewDevice($"CN=hsm-pull-{worker}-{round}", RaChallenge, keySlot: 990 + worker, _ca);
                using var content = new ByteArrayContent(device.PkcsReq().RawData.ToArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-pki-message");
                HttpResponseMessage response;
                try
                {
                    response = await http.PostAsync("/scep/ra/pkiclient.exe?operation=PKIOperation", content, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using var _ = response;
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var reply = PkiMessage.Decode(await response.Content.ReadAsByteArrayAsync(CancellationToken.None));
                    if (reply.Status == PkiStatus.Success)
                    {
                        issuedSerials.Add(device.IssuedFrom(reply).SerialNumber);
                        if (Interlocked.Increment(ref successes) >= 16)
                        {
                            pulledAt.TrySetResult();
                        }

                        if (Volatile.Read(ref putBack))
                        {
                            recovered.TrySetResult();
                        }
                    }
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && Interlocked.Increment(ref unavailable) >= 8)
                {
                    failedWhilePulled.TrySetResult();
                }
            }
        }

        string State() => $"successes {Volatile.Read(ref successes)}, 503s {Volatile.Read(ref unavailable)}, statuses {string.Join(", ", statuses.Select(p => $"{(int)p.Key}: {p.Value}"))}; host log tail:\n{string.Join('\n', _host.Output.Split('\n').TakeLast(20))}";
        var workers = Enumerable.Range(0, 8).Select(Worker).ToList();
        (await Completes(pulledAt.Task, stop.Token)).Should().BeTrue("16 enrollments before the pull: " + State());
        _token.Pull();
        (await Completes(failedWhilePulled.Task, stop.Token)).Should().BeTrue("503s while the token is out: " + State());
        _token.PutBack();
        Volatile.Write(ref putBack, true);
        (await Completes(recovered.Task, stop.Token)).Should().BeTrue("an enrollment after the token is back: " + State());
        await Task.WhenAll(workers);

        statuses.Keys.Should().OnlyContain(s => s == HttpStatusCode.OK || s == HttpStatusCode.ServiceUnavailable, "a pulled token is 503, never a 500");
        statuses[HttpStatusCode.ServiceUnavailable].Should().BeGreaterThanOrEqualTo(8);
        _host.HasExited.Should().BeFalse();
        issuedSerials.Should().OnlyHaveUniqueItems();
        var listed = await _host.AdminAsync("list-certificates");
        foreach (var serial in issuedSerials)
        {
            listed.Output.Should().Contain(serial, "every certificate a client got is on record");
        }

        _host.Output.Should().NotContain(_token.Pin);
    }

    private static async Task<bool> Completes(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<string> EnrollAsync(string script, string alias, string commonName, string challenge)
    {
        var output = _directory.Sub($"{Path.GetFileNameWithoutExtension(script)}-{commonName}");
        var run = await ExternalPeer.RunAsync("bash", [Script(script), $"{_host.BaseUrl}/scep/{alias}/pkiclient.exe", commonName, challenge, output, "60"], TimeSpan.FromSeconds(90));
        run.ExitCode.Should().Be(0, run.Output + run.Error);
        return Path.Combine(output, "cert.pem");
    }

    private Task ShouldVerifyAsync(string certificate) => EnrollScripts.ShouldVerifyAsync(certificate, Path.Combine(_host.DataDirectory, "ca.pem"));

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);
}
