using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.AdminApi;

/// <summary>
/// Issue 17, admin API bar: every endpoint refuses a caller without credentials, with wrong credentials, or (for the
/// actions) with a role below the action's; the refusals are problem details. The list of endpoints is checked
/// against the host's own route table, so an endpoint added later without a case here fails this fixture.
/// </summary>
public class AdminApiAuthenticationTests
{
    internal const string ViewerKey = "viewer-key-0123456789abcdef0123456789";
    internal const string OperatorKey = "operator-key-0123456789abcdef012345678";
    internal const string AdminKey = "admin-key-0123456789abcdef0123456789ab";

    /// <summary>Each endpoint (method, path with sample route values) and the least role that may call it.</summary>
    private static readonly (string Method, string Path, string Role)[] Endpoints =
    [
        ("GET", "/admin/api/v1/entities", "Viewer"),
        ("POST", "/admin/api/v1/entities", "Operator"),
        ("GET", "/admin/api/v1/entities/device-1", "Viewer"),
        ("DELETE", "/admin/api/v1/entities/device-1", "Operator"),
        ("POST", "/admin/api/v1/entities/device-1/reset", "Operator"),
        ("GET", "/admin/api/v1/pending", "Viewer"),
        ("POST", "/admin/api/v1/pending/P1/approve", "Operator"),
        ("POST", "/admin/api/v1/pending/P1/reject", "Operator"),
        ("GET", "/admin/api/v1/certificates", "Viewer"),
        ("GET", "/admin/api/v1/certificates/0A1B", "Viewer"),
        ("POST", "/admin/api/v1/certificates/0A1B/revoke", "Operator"),
        ("GET", "/admin/api/v1/ca", "Viewer"),
        ("POST", "/admin/api/v1/ca/crl", "Operator"),
        ("POST", "/admin/api/v1/ca/rollover", "Admin"),
        ("GET", "/admin/api/v1/upstream/requests", "Operator"),
        ("POST", "/admin/api/v1/upstream/requests/P1/certificate", "Operator"),
        ("POST", "/admin/api/v1/upstream/requests/P1/refusal", "Operator"),
        ("GET", "/admin/api/v1/audit", "Viewer"),
        ("GET", "/admin/api/openapi/v1.json", "Viewer"),
    ];

    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;

    public static IEnumerable<TestCaseData> EveryEndpoint() =>
        Endpoints.Select(e => new TestCaseData(e.Method, e.Path).SetArgDisplayNames(e.Method, e.Path));

    public static IEnumerable<TestCaseData> EveryActionAboveViewer() =>
        Endpoints.Where(e => e.Role != "Viewer").Select(e => new TestCaseData(e.Method, e.Path, e.Role).SetArgDisplayNames(e.Method, e.Path));

    internal static Dictionary<string, string?> Settings() => new()
    {
        ["AdminApi:ApiKeys:0:Name"] = "viewer",
        ["AdminApi:ApiKeys:0:Key"] = ViewerKey,
        ["AdminApi:ApiKeys:0:Role"] = "Viewer",
        ["AdminApi:ApiKeys:1:Name"] = "ops",
        ["AdminApi:ApiKeys:1:Key"] = OperatorKey,
        ["AdminApi:ApiKeys:1:Role"] = "Operator",
        ["AdminApi:ApiKeys:2:Name"] = "root",
        // Configured by hash: printf %s KEY | sha256sum
        ["AdminApi:ApiKeys:2:KeySha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(AdminKey))),
        ["AdminApi:ApiKeys:2:Role"] = "Admin",
    };

    [OneTimeSetUp]
    public void StartHost()
    {
        _directory = new TempDirectory("scep-adminapi-auth-");
        _host = new SampleHostFactory(_directory.Path, settings: Settings());
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public void EndpointList_CoversEveryAdminRouteOfTheHost()
    {
        _ = _host.CreateClient();
        var routes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("admin/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {Shape(e.RoutePattern.RawText!)}"))
            .ToHashSet();

        routes.Should().BeEquivalentTo(Endpoints.Select(e => $"{e.Method} {Shape(e.Path)}"), "every admin route has an authentication case here");
    }

    [TestCaseSource(nameof(EveryEndpoint))]
    public async Task Endpoint_WithoutCredentials_Is401WithProblemDetails(string method, string path)
    {
        using var response = await SendAsync(method, path, key: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().StartWith("Bearer");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [TestCaseSource(nameof(EveryEndpoint))]
    public async Task Endpoint_WithAWrongKey_Is401(string method, string path)
    {
        using var response = await SendAsync(method, path, key: ViewerKey + "x");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [TestCaseSource(nameof(EveryActionAboveViewer))]
    public async Task Action_ByARoleBelowIts_Is403(string method, string path, string role)
    {
        var key = role == "Admin" ? OperatorKey : ViewerKey;

        using var response = await SendAsync(method, path, key);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("garbage")]
    public async Task MalformedAuthorizationHeader_Is401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/v1/entities");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await _host.CreateClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task OverlongKey_Is401()
    {
        using var response = await SendAsync("GET", "/admin/api/v1/entities", new string('k', 100_000));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task KeyInXApiKeyHeader_AndKeyConfiguredByHash_AreAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/v1/ca");
        request.Headers.Add("X-Api-Key", AdminKey);

        using var response = await _host.CreateClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task OpenApiDocument_ForAViewer_DescribesTheAdminRoutes()
    {
        using var response = await SendAsync("GET", "/admin/api/openapi/v1.json", ViewerKey);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var document = await response.Content.ReadAsStringAsync();
        document.Should().Contain("\"openapi\"").And.Contain("/admin/api/v1/entities/{username}/reset").And.Contain("/admin/api/v1/certificates/{serial}/revoke");
        document.Should().NotContain("pkiclient.exe", "the SCEP routes are not part of the admin API's document");
    }

    internal static HttpRequestMessage Request(string method, string path, string? key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static string Shape(string path) => System.Text.RegularExpressions.Regex.Replace(
        path.TrimStart('/').TrimEnd('/'), @"\{[^}]+\}|(?<=entities/)device-1|(?<=pending/)P1|(?<=requests/)P1|(?<=certificates/)0A1B|(?<=openapi/)v1(?=\.json)", "*");

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? key)
    {
        using var request = Request(method, path, key, method is "POST" ? new StringContent("{}", Encoding.UTF8, "application/json") : null);
        return await _host.CreateClient().SendAsync(request);
    }
}
