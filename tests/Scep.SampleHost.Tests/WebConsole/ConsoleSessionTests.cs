using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Testing;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// A console session over a restart: the cookie keys live in the data folder, so a user stays signed in; a user whose
/// role changed (or who was removed) in the settings is signed out at the next request.
/// </summary>
public class ConsoleSessionTests
{
    [Test]
    public async Task Session_SurvivesARestart_ButNotARoleChange()
    {
        using var directory = new TempDirectory("scep-console-session-");
        string cookie;
        await using (var first = new SampleHostFactory(directory.Path, settings: ConsoleTestUsers.Settings()))
        {
            using var client = new ConsoleClient(first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));
            var signIn = await client.Http.GetAsync("/console/sign-in");
            var token = System.Text.RegularExpressions.Regex.Match(await signIn.Content.ReadAsStringAsync(), "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/console/sign-in")
            {
                Content = new FormUrlEncodedContent(new System.Collections.Generic.Dictionary<string, string> { ["__csrf"] = WebUtility.HtmlDecode(token), ["name"] = "ops", ["password"] = ConsoleTestUsers.OperatorPassword }),
            };
            request.Headers.Add("Cookie", string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
            using var signedIn = await client.Http.SendAsync(request);
            signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
            cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("scep-console=", StringComparison.Ordinal)).Split(';')[0];
        }

        await using (var restarted = new SampleHostFactory(directory.Path, settings: ConsoleTestUsers.Settings()))
        {
            (await GetAsync(restarted, cookie)).StatusCode.Should().Be(HttpStatusCode.OK, "the keys in the data folder still open the cookie");
        }

        var demoted = ConsoleTestUsers.Settings();
        demoted["Console:Users:1:Role"] = "Viewer";
        await using (var changed = new SampleHostFactory(directory.Path, settings: demoted))
        {
            using var response = await GetAsync(changed, cookie);
            response.StatusCode.Should().Be(HttpStatusCode.Redirect, "the cookie's role is no longer the user's");
            response.Headers.Location!.ToString().Should().Contain("/console/sign-in");
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(SampleHostFactory host, string cookie)
    {
        using var http = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request);
    }
}
