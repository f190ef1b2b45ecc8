using System.Net.Http;
using System.Threading.Tasks;

namespace Scep.Protocol.AspNetCore.Tests.Ndes;

/// <summary>
/// Issue 17: the NDES admin page refuses every caller it cannot authenticate and joins the hostile-input sweep: every
/// answer is a 401, 403 or 405 with a plain reason, never a 500, and no password is handed out.
/// </summary>
public class NdesAdminPageRefusalTests
{
    [TestCase(null, TestName = "NoCredential_Is401")]
    [TestCase("Basic !!!not-base64!!!", TestName = "BadBase64_Is401")]
    [TestCase("Basic Zm9vYmFy", TestName = "NoColon_Is401")]
    [TestCase("Bearer abc", TestName = "OtherScheme_Is401")]
    [TestCase("Basic", TestName = "EmptyBasic_Is401")]
    [TestCase("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", TestName = "Ntlm_Is401")]
    public async Task Credential_ThatIsNotValid_Is401WithABasicChallenge(string? authorization)
    {
        await using var host = await NdesTestHost.StartAsync();

        var answer = await host.SendAsync(HttpMethod.Get, "certsrv/mscep_admin/", edit: r =>
        {
            if (authorization is not null)
            {
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        });

        answer.Status.Should().Be(401);
        answer.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic realm=\"NDES\"");
        answer.Text.Should().NotContain("challenge password is");
    }

    [Test]
    public async Task WrongPasswordOrKey_Is401()
    {
        await using var host = await NdesTestHost.StartAsync();

        var wrongPassword = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword + "x");
        var wrongUser = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), "someone", NdesTestHost.UserPassword);
        var wrongKey = await host.SendAsync(HttpMethod.Get, "certsrv/mscep_admin/", edit: r => r.Headers.Add("X-Api-Key", NdesTestHost.ApiKey + "x"));
        var rightKey = await host.SendAsync(HttpMethod.Get, "certsrv/mscep_admin/", edit: r => r.Headers.Add("X-Api-Key", NdesTestHost.ApiKey));

        (wrongPassword.Status, wrongUser.Status, wrongKey.Status).Should().Be((401, 401, 401));
        rightKey.Status.Should().Be(200);
    }

    [Test]
    public async Task OverlongAuthorizationHeader_Is401_Not500()
    {
        await using var host = await NdesTestHost.StartAsync();

        var answer = await host.SendAsync(HttpMethod.Get, "certsrv/mscep_admin/", edit: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic " + new string('A', 20_000)));

        answer.Status.Should().Be(401);
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    [TestCase("PATCH")]
    public async Task OtherMethods_Are405(string method)
    {
        await using var host = await NdesTestHost.StartAsync();

        var answer = await host.SendAsync(new HttpMethod(method), "certsrv/mscep_admin/", new StringContent("x"), r => r.Headers.Authorization = NdesPasswordTests.Basic(NdesTestHost.User, NdesTestHost.UserPassword));

        answer.Status.Should().Be(405);
    }

    [Test]
    public async Task BasicOverPlainHttp_WithoutTheLoopbackOption_Is403()
    {
        await using var host = await NdesTestHost.StartAsync(o => o.AllowBasicOverHttp = false);

        var scraped = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);

        scraped.Status.Should().Be(403);
        scraped.Outcome.Should().Be(FleetNdesScraper.Outcome.Invalid);
    }
}
