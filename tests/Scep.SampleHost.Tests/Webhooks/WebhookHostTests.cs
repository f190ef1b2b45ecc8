using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scep.Protocol.Tests.Infrastructure;
using Scep.Protocol.Webhooks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Webhooks;

/// <summary>
/// The sample host as a real process with <c>Webhooks:Challenge</c> from its environment (the secret from a file), and
/// a real Kestrel receiver on 127.0.0.1 that denies: the device on alias <c>ra</c>, with the right RA challenge, gets
/// the receiver's reason as a signed FAILURE.
/// </summary>
[NonParallelizable]
public class WebhookHostTests
{
    private const string Secret = "sample-host-webhook-secret-0123456789ab";

    [Test]
    public async Task TheChallengeWebhookFromTheEnvironment_DecidesTheRaAlias_AndTheSecretIsNeverPrinted()
    {
        using var directory = new TempDirectory("scep-webhook-host-");
        var secretFile = directory.File("webhook-secret");
        await File.WriteAllTextAsync(secretFile, Secret + "\n");
        var received = new ConcurrentQueue<(string? Id, bool SignatureValid, JsonElement Json)>();
        await using var receiver = await StartReceiverAsync(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var id = context.Request.Headers[WebhookSignature.IdHeader].ToString();
            var valid = WebhookSignature.Verify(Secret, context.Request.Headers[WebhookSignature.TimestampHeader], id, body,
                context.Request.Headers[WebhookSignature.SignatureHeader], DateTimeOffset.UtcNow, WebhookSignature.DefaultTolerance);
            received.Enqueue((id, valid, JsonDocument.Parse(body).RootElement.Clone()));
            var answer = Encoding.UTF8.GetBytes("""{"decision":"deny","reason":"Not in the sample inventory"}""");
            var now = DateTimeOffset.UtcNow;
            context.Response.Headers[WebhookSignature.TimestampHeader] = WebhookSignature.FormatTimestamp(now);
            context.Response.Headers[WebhookSignature.SignatureHeader] = WebhookSignature.Compute(Secret, now.ToUnixTimeSeconds(), id, answer);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(answer);
        });
        await using var host = await HostProcess.StartAsync(directory.Sub("data"), new Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["Webhooks__Challenge__Url"] = receiver.Url,
            ["Webhooks__Challenge__SecretFile"] = secretFile,
            ["Webhooks__Challenge__Aliases"] = "ra",
            ["Webhooks__Challenge__AllowInsecureHttp"] = "true",
        });

        using var http = new HttpClient();
        var recipient = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(host.BaseUrl + "/scep/ra/pkiclient.exe?operation=GetCACert"));
        var key = TestPki.CachedRsa(60);
        var signer = TestPki.CreateSelfSigned("CN=webhook-device", key);
        var request = PkiMessage.CreatePkcsReq(Scenario.Csr("CN=webhook-device", key, "change-me"), new PkiRequestParameters
        {
            TransactionId = ScepTransactionId.CreateRandom(),
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = recipient,
            ContentEncryption = ContentEncryptionAlgorithm.Aes128Cbc,
            DigestAlgorithm = System.Security.Cryptography.HashAlgorithmName.SHA256,
            SigningTime = DateTimeOffset.UtcNow,
        });
        using var content = new ByteArrayContent(request.RawData.ToArray());
        using var response = await http.PostAsync(host.BaseUrl + "/scep/ra/pkiclient.exe?operation=PKIOperation", content);
        var reply = PkiMessage.Decode(await response.Content.ReadAsByteArrayAsync());

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be("Not in the sample inventory");
        var seen = received.Should().ContainSingle().Subject;
        seen.SignatureValid.Should().BeTrue();
        seen.Json.GetProperty("alias").GetString().Should().Be("ra");
        seen.Json.GetProperty("transactionId").GetString().Should().Be(request.TransactionId);
        host.Output.Should().NotContain(Secret);
    }

    [TestCase("Webhooks__Challenge__Secret", "too-short-secret", "Webhooks:Challenge: Secret must be set and at least 32 characters long.")]
    [TestCase("Webhooks__Challenge__Url", "http://hooks.example.com/scep", "Webhooks:Challenge: Url must be https")]
    public async Task ABadWebhookSetting_StopsTheHostWithOneLineNamingIt_NeverTheSecret(string variable, string value, string expected)
    {
        using var directory = new TempDirectory("scep-webhook-setting-");
        var settings = new Dictionary<string, string>
        {
            ["SampleHost__DataDirectory"] = directory.Sub("data"),
            ["SampleHost__CaKeySize"] = "2048",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Webhooks__Challenge__Url"] = "https://hooks.example.com/scep",
            ["Webhooks__Challenge__Secret"] = Secret,
            ["Webhooks__Challenge__Aliases"] = "ra",
        };
        settings[variable] = value;

        var run = await HostProcess.RunToExitAsync(settings, ["--urls", "http://127.0.0.1:0"]);

        run.ExitCode.Should().Be(1, run.Output + run.Error);
        run.Error.TrimEnd().Split('\n').Should().ContainSingle(run.Error).Which.Should().Contain(expected);
        (run.Output + run.Error).Should().NotContain(Secret).And.NotContain("too-short-secret");
    }

    private static async Task<Receiver> StartReceiverAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/hook", handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Receiver(app, address + "/hook");
    }

    private sealed class Receiver(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
