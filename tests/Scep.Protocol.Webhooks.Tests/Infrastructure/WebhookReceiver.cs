using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Webhooks.Tests.Infrastructure;

/// <summary>One request the receiver got: its signature headers, its body and the client certificate it came with.</summary>
public sealed record ReceivedWebhook(string? Timestamp, string? Id, string? Signature, byte[] Body, X509Certificate2? ClientCertificate)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real Kestrel receiver on 127.0.0.1, port 0: every POST is recorded and answered by the test's function. With a
/// server certificate it listens with TLS, and can require a client certificate issued by a given CA.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Set at the end of a test (DisposeAsync): slow answers wait on it instead of sleeping.</summary>
    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<WebhookReceiver> StartAsync(Func<ReceivedWebhook, HttpContext, WebhookReceiver, Task> respond, X509Certificate2? serverCertificate = null, X509Certificate2? requiredClientIssuer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    if (requiredClientIssuer is not null)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (certificate, _, _) => IssuedBy(certificate, requiredClientIssuer);
                    }
                });
            }
        }));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var received = new ReceivedWebhook(
                context.Request.Headers[WebhookSignature.TimestampHeader].FirstOrDefault(),
                context.Request.Headers[WebhookSignature.IdHeader].FirstOrDefault(),
                context.Request.Headers[WebhookSignature.SignatureHeader].FirstOrDefault(),
                buffer.ToArray(),
                context.Connection.ClientCertificate);
            receiver!.Received.Enqueue(received);
            await respond(received, context, receiver);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new WebhookReceiver(app, new Uri(new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), "/hook"));
        return receiver;
    }

    /// <summary>Answers with <paramref name="json"/>, signed as the protocol says (over <paramref name="signedId"/>, the request's id unless told otherwise), or unsigned.</summary>
    public static async Task AnswerAsync(HttpContext context, ReceivedWebhook request, string json, DateTimeOffset now, bool sign = true, string? signedId = null, string secret = WebhookTests.Secret, int status = 200)
    {
        var body = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        if (sign)
        {
            var timestamp = now.ToUnixTimeSeconds();
            context.Response.Headers[WebhookSignature.TimestampHeader] = WebhookSignature.FormatTimestamp(now);
            context.Response.Headers[WebhookSignature.SignatureHeader] = WebhookSignature.Compute(secret, timestamp, signedId ?? request.Id!, body);
        }

        await context.Response.Body.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        Released.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = certificate.NotBefore.AddMinutes(1);
        return chain.Build(certificate);
    }
}
