using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// The builder MapScep returns is the SCEP endpoint's own: host requirements, metadata, names, endpoint filters and
/// authorization added to it apply to the SCEP requests of that pattern, and to no other.
/// </summary>
public class ConventionBuilderTests
{
    private ScepKestrelHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync(
        map: app =>
        {
            app.UseRouting();
            app.Use(async (context, next) =>
            {
                // What endpoint routing chose, for the tests to read from the answer's headers.
                if (context.GetEndpoint() is { } endpoint)
                {
                    context.Response.Headers["X-Endpoint"] = endpoint.DisplayName;
                    context.Response.Headers["X-Scep-Endpoint"] = (endpoint.Metadata.GetMetadata<ScepEndpointMetadata>() is not null).ToString();
                    context.Response.Headers["X-Tag"] = endpoint.Metadata.GetMetadata<TagMetadata>()?.Value;
                }

                await next(context);
            });
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapScep("/scep/pkiclient.exe", "ra");
            app.MapScep("/hosted/pkiclient.exe", "ra").RequireHost("scep.example");
            app.MapScep("/tagged/pkiclient.exe", "ra").WithMetadata(new TagMetadata("tagged"));
            app.MapScep("/named/{alias}/pkiclient.exe").WithName("scep-by-alias");
            app.MapScep("/filtered/pkiclient.exe", "ra").AddEndpointFilter(async (context, next) =>
            {
                if (context.HttpContext.Request.Headers.ContainsKey("X-Block"))
                {
                    return Results.Text("blocked by the filter\n", statusCode: 429);
                }

                context.HttpContext.Response.Headers["X-Filter"] = "ran";
                return await next(context);
            });
            app.MapScep("/private/pkiclient.exe", "ra").RequireAuthorization();
        },
        services: services =>
        {
            services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
            services.AddAuthorization();
        });

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    private Task<HttpAnswer> GetCapsAsync(string path, string? header = null, string? value = null) =>
        _host.SendAsync(HttpMethod.Get, path + "?operation=GetCACaps", edit: request =>
        {
            if (header is not null)
            {
                request.Headers.Add(header, value);
            }
        });

    [Test]
    public async Task MapScep_NamesTheEndpointAndMarksItWithScepEndpointMetadata()
    {
        var answer = await GetCapsAsync("/scep/pkiclient.exe");

        answer.Status.Should().Be(200);
        answer.Headers.GetValues("X-Endpoint").Should().Equal("SCEP /scep/pkiclient.exe");
        answer.Headers.GetValues("X-Scep-Endpoint").Should().Equal("True");
    }

    [Test]
    public async Task RequireHost_ServesOnlyThatHost()
    {
        var rightHost = await _host.SendAsync(HttpMethod.Get, "/hosted/pkiclient.exe?operation=GetCACaps", edit: r => r.Headers.Host = "scep.example");
        var otherHost = await GetCapsAsync("/hosted/pkiclient.exe");

        rightHost.Status.Should().Be(200, rightHost.ToString());
        rightHost.ContentType.Should().Be(ScepContentTypes.Capabilities);
        otherHost.Status.Should().Be(404);
        otherHost.Body.Should().BeEmpty("no endpoint matched, the pipeline never saw the request");
    }

    [Test]
    public async Task WithMetadata_IsOnTheScepEndpointOnly()
    {
        var tagged = await GetCapsAsync("/tagged/pkiclient.exe");
        var untagged = await GetCapsAsync("/scep/pkiclient.exe");

        tagged.Status.Should().Be(200);
        tagged.Headers.GetValues("X-Tag").Should().Equal("tagged");
        tagged.Headers.GetValues("X-Scep-Endpoint").Should().Equal("True");
        untagged.Headers.Contains("X-Tag").Should().BeFalse();
    }

    [Test]
    public async Task WithName_LinkGeneratorFindsThePattern()
    {
        var links = _host.App.Services.GetRequiredService<LinkGenerator>();

        var path = links.GetPathByName("scep-by-alias", new { alias = "other" });
        var answer = await _host.GetAsync(path + "?operation=GetCACert");

        path.Should().Be("/named/other/pkiclient.exe");
        answer.Body.Should().Equal(HostPki.SecondCa.Certificate.RawData);
    }

    [Test]
    public async Task EndpointFilter_RunsAroundTheScepHandler()
    {
        var enrollee = Enrollee.Create("CN=filtered-device", keySlot: 14);

        var passed = await _host.PostAsync("/filtered/pkiclient.exe?operation=PKIOperation", enrollee.Request.RawData);

        passed.Headers.GetValues("X-Filter").Should().Equal("ran");
        enrollee.IssuedFrom(passed).Subject.Should().Be("CN=filtered-device");
    }

    [Test]
    public async Task EndpointFilter_ThatAnswersItself_KeepsTheRequestFromThePipeline()
    {
        var enrollee = Enrollee.Create("CN=blocked-device", keySlot: 15);
        using var content = new ByteArrayContent(enrollee.Request.RawData.ToArray());

        var blocked = await _host.SendAsync(HttpMethod.Post, "/filtered/pkiclient.exe?operation=PKIOperation", content, r => r.Headers.Add("X-Block", "1"));

        blocked.Status.Should().Be(429);
        blocked.Text.Should().Be("blocked by the filter\n");
        enrollee.IssuedCount(_host).Should().Be(0);
    }

    [Test]
    public async Task RequireAuthorization_Anonymous_Is401AndNothingIsIssued()
    {
        var enrollee = Enrollee.Create("CN=anonymous-device", keySlot: 16);

        var caps = await GetCapsAsync("/private/pkiclient.exe");
        var enroll = await _host.PostAsync("/private/pkiclient.exe?operation=PKIOperation", enrollee.Request.RawData);

        caps.Status.Should().Be(401);
        caps.Body.Should().BeEmpty();
        enroll.Status.Should().Be(401);
        enrollee.IssuedCount(_host).Should().Be(0);
    }

    [Test]
    public async Task RequireAuthorization_AuthenticatedUser_ReachesThePipeline()
    {
        var caps = await GetCapsAsync("/private/pkiclient.exe", HeaderAuthenticationHandler.Header, "operator");

        caps.Status.Should().Be(200, caps.ToString());
        caps.ContentType.Should().Be(ScepContentTypes.Capabilities);
        caps.Text.Split('\n').Should().Contain("POSTPKIOperation");
    }

    [Test]
    public async Task RequireAuthorization_OnOnePattern_LeavesTheOthersOpen()
    {
        var open = await GetCapsAsync("/scep/pkiclient.exe");

        open.Status.Should().Be(200);
        open.Headers.Any(h => h.Key == "WWW-Authenticate").Should().BeFalse();
    }

    /// <summary>Metadata of the test's own, added with WithMetadata.</summary>
    public sealed record TagMetadata(string Value);
}
