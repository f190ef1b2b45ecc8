using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scep.Protocol.AspNetCore;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.SampleHost;

var builder = WebApplication.CreateBuilder(args);
var hostOptions = builder.Configuration.GetSection("SampleHost").Get<SampleHostOptions>() ?? new SampleHostOptions();
var bootstrap = new CaBootstrap(hostOptions);
var (caCertificate, caKey) = bootstrap.LoadOrCreate(TimeProvider.System, out _);

builder.Services.AddSingleton(sp => new InMemoryEnrollmentAuthority(sp.GetRequiredService<TimeProvider>()) { Validity = TimeSpan.FromDays(hostOptions.CertificateValidityDays) });
builder.Services.Configure<ScepServerOptions>(builder.Configuration.GetSection("Scep"));
builder.Services.AddScepServer()
    .AddEnrollmentAuthority<InMemoryEnrollmentAuthority>()
    .AddCrlSource<InMemoryEnrollmentAuthority>()
    .AddEndEntityStore<InMemoryEndEntityStore>()
    .AddCredentials("default", ScepCaCredentials.ForCa(caCertificate, caKey));
builder.Services.AddHealthChecks();

var app = builder.Build();
app.Services.GetRequiredService<InMemoryEnrollmentAuthority>().AddIssuer(caCertificate, caKey);
app.MapHealthChecks("/health");
app.MapScep("/scep/pkiclient.exe", "scep");
app.MapScep("/scep/{alias}/pkiclient.exe");
app.MapScep("/ejbca/publicweb/apply/scep/pkiclient.exe", "scep");
app.MapScep("/ejbca/publicweb/apply/scep/{alias}/pkiclient.exe");
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program
{
}
