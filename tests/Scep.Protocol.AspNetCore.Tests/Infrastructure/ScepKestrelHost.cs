using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests.Infrastructure;

/// <summary>
/// An ASP.NET Core application on Kestrel, listening on 127.0.0.1 with a port the OS picks, that serves the SCEP
/// pipeline through <c>MapScep</c>; a real <see cref="HttpClient"/> talks to it over TCP. The pipeline uses the
/// in-memory authority and stores and a clock fixed at <see cref="Scenario.Now"/> (requests are signed then).
/// </summary>
/// <remarks>
/// Aliases unless <c>configure</c> changes them: <c>scep</c> (CA mode, CA <c>default</c>), <c>ra</c> (RA mode,
/// challenge <see cref="RaChallenge"/>), <c>other</c> (RA mode on the second CA), <c>with-ra</c> (separate RA
/// certificates), <c>rolling</c> (a next CA prepared), <c>get-only</c> (no POST) and <c>post-only</c> (no GET).
/// Routes unless <c>map</c> replaces them: the five the sample host maps (<see cref="MapSampleHostRoutes"/>).
/// </remarks>
public sealed class ScepKestrelHost : IAsyncDisposable
{
    public const string RaChallenge = "ra-secret";

    private ScepKestrelHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    /// <summary>http://127.0.0.1:PORT/, the address Kestrel bound.</summary>
    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public InMemoryEnrollmentAuthority Authority => App.Services.GetRequiredService<InMemoryEnrollmentAuthority>();

    public InMemoryEndEntityStore Entities => App.Services.GetRequiredService<InMemoryEndEntityStore>();

    /// <summary>Starts the application; <paramref name="map"/> maps its endpoints (the sample host's SCEP routes when null).</summary>
    public static async Task<ScepKestrelHost> StartAsync(
        Action<WebApplication>? map = null,
        Action<ScepServerOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Scenario.Now));
        builder.Services.AddSingleton(sp => new InMemoryEnrollmentAuthority(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddScepServer(options =>
            {
                AddStandardAliases(options);
                configure?.Invoke(options);
            })
            .AddEnrollmentAuthority<InMemoryEnrollmentAuthority>()
            .AddCrlSource<InMemoryEnrollmentAuthority>()
            .AddEndEntityStore<InMemoryEndEntityStore>()
            .AddCredentials("default", ScepCaCredentials.ForCa(HostPki.Ca.Certificate, HostPki.Ca.Rsa))
            .AddCredentials("second", ScepCaCredentials.ForCa(HostPki.SecondCa.Certificate, HostPki.SecondCa.Rsa))
            .AddCredentials("with-ra", HostPki.WithRaCredentials)
            .AddCredentials("rolling", HostPki.RollingCredentials);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        (map ?? (a => MapSampleHostRoutes(a))).Invoke(app);
        var authority = app.Services.GetRequiredService<InMemoryEnrollmentAuthority>();
        authority.AddIssuer(HostPki.Ca.Certificate, HostPki.Ca.Key);
        authority.AddIssuer(HostPki.SecondCa.Certificate, HostPki.SecondCa.Key);
        await app.StartAsync();
        var address = app.Urls.Single();
        return new ScepKestrelHost(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>The SCEP routes of samples/Scep.SampleHost/Program.cs, in its order.</summary>
    public static void MapSampleHostRoutes(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapScep("/scep/pkiclient.exe", "scep");
        endpoints.MapScep("/cgi-bin/pkiclient.exe", "scep");
        endpoints.MapScep("/scep/{alias}/pkiclient.exe");
        endpoints.MapScep("/ejbca/publicweb/apply/scep/pkiclient.exe", "scep");
        endpoints.MapScep("/ejbca/publicweb/apply/scep/{alias}/pkiclient.exe");
    }

    private static void AddStandardAliases(ScepServerOptions options)
    {
        options.Aliases["scep"] = new ScepAliasOptions();
        options.Aliases["ra"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge };
        options.Aliases["other"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, CaName = "second" };
        options.Aliases["with-ra"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, CaName = "with-ra" };
        options.Aliases["rolling"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, CaName = "rolling" };
        options.Aliases["get-only"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, AllowPost = false };
        options.Aliases["post-only"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, AllowGet = false };
    }

    /// <summary>Sends one request and reads the whole answer.</summary>
    public async Task<HttpAnswer> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null, Action<HttpRequestMessage>? edit = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, pathAndQuery)) { Content = content };
        edit?.Invoke(request);
        using var response = await Http.SendAsync(request);
        return await HttpAnswer.ReadAsync(response);
    }

    public Task<HttpAnswer> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery);

    /// <summary>POSTs <paramref name="body"/> as a DER pkiMessage (Content-Type application/x-pki-message, with Content-Length).</summary>
    public Task<HttpAnswer> PostAsync(string pathAndQuery, ReadOnlyMemory<byte> body)
    {
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(ScepContentTypes.PkiMessage);
        return SendAsync(HttpMethod.Post, pathAndQuery, content);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
