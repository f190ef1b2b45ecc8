using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Observability;

/// <summary>
/// Issue 19, OpenTelemetry: with <c>SampleHost:OpenTelemetry=true</c> and the standard OTLP settings, the host process
/// exports the pipeline's traces and metrics to an OTLP/HTTP receiver (a real Kestrel server started here): the trace
/// of an enrollment carries the pipeline's source and span names, the metrics its meter.
/// </summary>
[NonParallelizable]
public class OtlpExportTests
{
    /// <summary>The source, the request span with its tags, and the child spans.</summary>
    private static readonly string[] Expected =
        ["Scep.Protocol.Server", "SCEP PKIOperation", "scep.message_type", "PKCSReq", "scep.outcome", "scep.challenge.validate", "scep.authority.enroll", "scep.store.record_decision"];

    [Test]
    public async Task Enrollment_IsExportedAsTraceAndMetrics_ToTheConfiguredOtlpEndpoint()
    {
        var traces = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var metrics = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new List<string>();
        var exported = new StringBuilder();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var receiver = builder.Build();
        receiver.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new System.IO.MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            // OTLP/HTTP protobuf: names are plain UTF-8 strings inside the message.
            var text = Encoding.UTF8.GetString(body.ToArray());
            lock (received)
            {
                received.Add($"{signal} {context.Request.ContentType} {body.Length}");
            }

            if (signal == "traces")
            {
                // Spans end, and are exported, in batches: children before their parent. Done when all are in.
                lock (received)
                {
                    exported.Append(text);
                    if (Expected.All(e => exported.ToString().Contains(e, StringComparison.Ordinal)))
                    {
                        traces.TrySetResult(exported.ToString());
                    }
                }
            }
            else if (signal == "metrics" && text.Contains("Scep.Protocol.Server", StringComparison.Ordinal))
            {
                metrics.TrySetResult(text);
            }

            return Results.Ok();
        });
        await receiver.StartAsync();
        var endpoint = receiver.Urls.Single();
        using var directory = new TempDirectory("scep-otlp-");
        await using var host = await HostProcess.StartAsync(directory.Sub("data"), new Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["SampleHost__OpenTelemetry"] = "true",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var ca = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync("/scep/pkiclient.exe?operation=GetCACert"));
        var client = new ScepTestClient(http, "/scep/ra/pkiclient.exe", replySigner: ca);

        (await client.SendAsync(ScepTestClient.NewDevice("CN=otlp-device", "change-me", 70, ca).PkcsReq())).Status.Should().Be(PkiStatus.Success);

        var first = await Task.WhenAny(traces.Task, Task.Delay(TimeSpan.FromSeconds(20)));
        first.Should().Be(traces.Task, $"received: {string.Join("; ", received)}\n{host.Output[^Math.Min(2000, host.Output.Length)..]}");
        var trace = await traces.Task;
        trace.Should().Contain("scep-sample-host", "the service name is the resource's");
        (await metrics.Task.WaitAsync(TimeSpan.FromSeconds(60))).Should().Contain("scep.");
    }
}
