using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// The console over HTTP, in process, without a browser: every page needs a signed-in user (the pages are taken from
/// the host's route table, so a page added later is covered), a wrong password sets no cookie, a form without its
/// antiforgery token is a 400, a viewer's forged action is a 403, a generated code is in one answer only, and the
/// admin API still authenticates its own callers.
/// </summary>
public class ConsoleAccessTests
{
    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;

    [OneTimeSetUp]
    public void StartHost()
    {
        _directory = new TempDirectory("scep-console-");
        var settings = ConsoleTestUsers.Settings();
        foreach (var (key, value) in AdminApi.AdminApiAuthenticationTests.Settings())
        {
            settings[key] = value;
        }

        _host = new SampleHostFactory(_directory.Path, settings: settings);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>Every console page's path, from the route table, with a sample value for a route parameter.</summary>
    private List<string> ConsolePages()
    {
        _ = _host.Server; // builds the host
        return [.. _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .Select(e => "/" + Regex.Replace(e.RoutePattern.RawText!.TrimStart('/'), "\\{[^}]+\\}", "0A1B"))
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    [Test]
    public void EveryPage_IsUnderConsole()
    {
        var pages = ConsolePages();

        pages.Should().HaveCountGreaterThanOrEqualTo(9).And.OnlyContain(p => p == "/console" || p.StartsWith("/console/", StringComparison.Ordinal));
        pages.Should().Contain(["/console", "/console/sign-in", "/console/entities", "/console/pending", "/console/certificates", "/console/certificates/0A1B", "/console/aliases", "/console/audit"]);
    }

    [Test]
    public async Task AnonymousGet_OfEveryPageButSignIn_RedirectsToSignIn()
    {
        using var anonymous = Client();
        foreach (var page in ConsolePages().Where(p => p != "/console/sign-in"))
        {
            using var response = await anonymous.Http.GetAsync(page);

            response.StatusCode.Should().Be(HttpStatusCode.Redirect, page);
            response.Headers.Location!.ToString().Should().Contain("/console/sign-in?ReturnUrl=", page);
        }

        (await anonymous.Http.GetAsync("/console/sign-in")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task EveryPage_IsShownToAViewer_WithTheSecurityHeaders()
    {
        using var viewer = await SignedInAsync("watch", ConsoleTestUsers.ViewerPassword);
        foreach (var page in ConsolePages().Where(p => p is not "/console/sign-in" and not "/console/sign-out"))
        {
            using var response = await viewer.Http.GetAsync(page);

            response.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.NotFound], page); // the sample serial is not issued
            response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'self'; style-src 'self'");
            response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
            response.Headers.GetValues("Referrer-Policy").Single().Should().Be("no-referrer");
            response.Headers.CacheControl!.NoStore.Should().BeTrue(page);
            (await response.Content.ReadAsStringAsync()).Should().Contain("<nav aria-label=\"Console sections\">", page).And.Contain("<h1>", page);
        }
    }

    [TestCase("ops", "wrong-password")]
    [TestCase("nobody", "operator-password-1")]
    [TestCase("ops", "")]
    public async Task WrongNameOrPassword_ShowsTheSignInPageAgain_WithAMessage_AndSetsNoCookie(string name, string password)
    {
        using var client = Client();

        using var response = await client.SignInAsync(name, password);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Sign-in failed").And.Contain("<form method=\"post\"");
        (response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).Should().NotContain(c => c.StartsWith("scep-console=", StringComparison.Ordinal));
        (await client.Http.GetAsync("/console")).StatusCode.Should().Be(HttpStatusCode.Redirect, "still not signed in");
    }

    [Test]
    public async Task FiveFailedSignIns_LockTheUserOut_EvenWithTheRightPassword_AndOnlyThatUser()
    {
        using var client = Client();
        for (var i = 0; i < Scep.SampleHost.WebConsole.ConsoleLockout.MaxFailures; i++)
        {
            (await (await client.SignInAsync("guessed", $"guess-{i}")).Content.ReadAsStringAsync()).Should().Contain("Sign-in failed");
        }

        using var locked = await client.SignInAsync("guessed", ConsoleTestUsers.GuessedPassword);
        using var other = await Client().SignInAsync("watch", ConsoleTestUsers.ViewerPassword);

        locked.StatusCode.Should().Be(HttpStatusCode.OK);
        (await locked.Content.ReadAsStringAsync()).Should().Contain("too many failed attempts");
        (locked.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).Should().NotContain(c => c.StartsWith("scep-console=", StringComparison.Ordinal));
        other.StatusCode.Should().Be(HttpStatusCode.Redirect, "another user is not locked out");
    }

    [Test]
    public async Task RightPassword_SetsAnHttpOnlyStrictCookie_ForTheConsoleOnly()
    {
        using var client = Client();

        using var response = await client.SignInAsync("ops", ConsoleTestUsers.OperatorPassword);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Be("/console");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("scep-console=", StringComparison.Ordinal));
        cookie.Should().Contain("path=/console").And.Contain("samesite=strict").And.Contain("httponly");
        (await client.Http.GetStringAsync("/console")).Should().Contain("ops (<span id=\"role\">Operator</span>)");
    }

    [Test]
    public async Task SignIn_ToAnotherSite_GoesToTheDashboardInstead()
    {
        using var client = Client();
        var token = await client.TokenAsync("/console/sign-in");

        using var response = await client.Http.PostAsync("/console/sign-in?ReturnUrl=%2F%2Fevil.example%2F", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = token,
            ["name"] = "ops",
            ["password"] = ConsoleTestUsers.OperatorPassword,
        }));

        response.Headers.Location!.ToString().Should().Be("/console");
    }

    [Test]
    public async Task SignOut_IsAPost_AndEndsTheSession()
    {
        using var client = await SignedInAsync("watch", ConsoleTestUsers.ViewerPassword);

        (await client.Http.GetAsync("/console/sign-out")).Headers.Location!.ToString().Should().Be("/console", "a GET does not sign out");
        using var signedOut = await client.PostFormAsync("/console", "/console/sign-out", new Dictionary<string, string>());

        signedOut.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.Http.GetAsync("/console")).Headers.Location!.ToString().Should().Contain("/console/sign-in");
    }

    [Test]
    public async Task PostWithoutTheAntiforgeryToken_Is400_AndChangesNothing()
    {
        using var client = await SignedInAsync("ops", ConsoleTestUsers.OperatorPassword);

        using var response = await client.Http.PostAsync("/console/entities?handler=Add", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "no-token" }));
        using var signIn = await Client().Http.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "ops", ["password"] = ConsoleTestUsers.OperatorPassword }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        signIn.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _host.Admin.FindEntityAsync("no-token", CancellationToken.None)).Should().BeNull();
    }

    [Test]
    public async Task Viewer_SeesNoActions_AndItsForgedPostsAre403()
    {
        var (id, serial) = await PendingRequestAndCertificateAsync("viewer-case");
        using var viewer = await SignedInAsync("watch", ConsoleTestUsers.ViewerPassword);

        var pending = await viewer.Http.GetStringAsync("/console/pending");
        var certificate = await viewer.Http.GetStringAsync($"/console/certificates/{serial}");
        var entities = await viewer.Http.GetStringAsync("/console/entities");
        using var approve = await viewer.PostFormAsync("/console/pending", "/console/pending?handler=Approve", new Dictionary<string, string> { ["id"] = id });
        using var revoke = await viewer.PostFormAsync($"/console/certificates/{serial}", $"/console/certificates/{serial}?handler=Revoke", new Dictionary<string, string> { ["reason"] = "KeyCompromise" });
        using var add = await viewer.PostFormAsync("/console/entities", "/console/entities?handler=Add", new Dictionary<string, string> { ["username"] = "by-viewer" });
        using var crl = await viewer.PostFormAsync("/console", "/console?handler=IssueCrl", new Dictionary<string, string>());

        pending.Should().Contain(id).And.NotContain("Approve").And.NotContain("handler=Approve");
        certificate.Should().Contain(serial).And.NotContain("handler=Revoke");
        entities.Should().NotContain("handler=Add").And.NotContain("handler=Reset");
        approve.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        revoke.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        add.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        crl.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _host.Admin.FindCertificateAsync(serial, CancellationToken.None))!.RevokedAt.Should().BeNull();
        (await _host.Admin.ListPendingAsync(CancellationToken.None)).Single(p => p.Id == id).State.Should().Be(Scep.Protocol.Server.ApprovalState.Pending);
        (await _host.Admin.FindEntityAsync("by-viewer", CancellationToken.None)).Should().BeNull();
    }

    [Test]
    public async Task Operator_ApprovesAndRevokes_AndTheAuditLogNamesTheConsoleUser()
    {
        var (id, serial) = await PendingRequestAndCertificateAsync("operator-case");
        using var ops = await SignedInAsync("ops", ConsoleTestUsers.OperatorPassword);

        (await ops.Http.GetStringAsync("/console/pending")).Should().Contain($"aria-label=\"Approve {id}\"");
        using var approve = await ops.PostFormAsync("/console/pending", "/console/pending?handler=Approve", new Dictionary<string, string> { ["id"] = id });
        using var again = await ops.PostFormAsync("/console/pending", "/console/pending?handler=Approve", new Dictionary<string, string> { ["id"] = id });
        using var revoke = await ops.PostFormAsync($"/console/certificates/{serial}", $"/console/certificates/{serial}?handler=Revoke", new Dictionary<string, string> { ["reason"] = "Superseded" });
        using var badReason = await ops.PostFormAsync($"/console/certificates/{serial}", $"/console/certificates/{serial}?handler=Revoke", new Dictionary<string, string> { ["reason"] = "Bored" });

        approve.StatusCode.Should().Be(HttpStatusCode.Redirect);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).Should().Contain("already approved");
        revoke.StatusCode.Should().Be(HttpStatusCode.Redirect);
        badReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badReason.Content.ReadAsStringAsync()).Should().Contain("Unknown revocation reason");
        (await _host.Admin.FindCertificateAsync(serial, CancellationToken.None))!.RevocationReason.Should().Be(System.Security.Cryptography.X509Certificates.X509RevocationReason.Superseded);
        var audit = await ops.Http.GetStringAsync("/console/audit");
        audit.Should().Contain("console:ops").And.Contain("request.approve").And.Contain("certificate.revoke");
        (await _host.Admin.ListAuditAsync(20, null, CancellationToken.None)).Should().Contain(e => e.Actor == "console:ops" && e.Action == "certificate.revoke" && e.Target == serial);
    }

    [Test]
    public async Task AddedEntity_ItsCodeIsInExactlyOneAnswer_AndEnrolls()
    {
        using var ops = await SignedInAsync("ops", ConsoleTestUsers.OperatorPassword);

        using var added = await ops.PostFormAsync("/console/entities", "/console/entities?handler=Add", new Dictionary<string, string> { ["username"] = "console-router", ["codeValidFor"] = "24h" });
        var html = await added.Content.ReadAsStringAsync();
        added.StatusCode.Should().Be(HttpStatusCode.OK);
        added.Headers.CacheControl!.NoStore.Should().BeTrue();
        var code = Regex.Match(html, "id=\"one-time-code\">([A-Z2-9]{20})<").Groups[1].Value;
        code.Should().NotBeEmpty(html);
        html.Should().Contain("Shown once");

        foreach (var page in new[] { "/console", "/console/entities", "/console/entities?search=console-router", "/console/audit", "/console/certificates" })
        {
            (await ops.Http.GetStringAsync(page)).Should().NotContain(code, page);
        }

        (added.Headers.TryGetValues("Set-Cookie", out var cookies) ? string.Join('\n', cookies) : string.Empty).Should().NotContain(code);
        var device = ScepTestClient.NewDevice("CN=console-router", code, keySlot: 44, _host.Cas.Current.Certificate);
        (await _host.Client().SendAsync(device.PkcsReq())).Status.Should().Be(PkiStatus.Success, "the code shown works");
        (await ops.Http.GetStringAsync("/console/certificates?search=console-router")).Should().Contain("CN=console-router");
    }

    [Test]
    public async Task AddingAnEntityTwice_Is409_WithTheReason()
    {
        using var ops = await SignedInAsync("ops", ConsoleTestUsers.OperatorPassword);
        (await ops.PostFormAsync("/console/entities", "/console/entities?handler=Add", new Dictionary<string, string> { ["username"] = "twice-console" })).StatusCode.Should().Be(HttpStatusCode.OK);

        using var second = await ops.PostFormAsync("/console/entities", "/console/entities?handler=Add", new Dictionary<string, string> { ["username"] = "twice-console" });
        using var badValidity = await ops.PostFormAsync("/console/entities", "/console/entities?handler=Add", new Dictionary<string, string> { ["username"] = "bad-validity", ["codeValidFor"] = "soon" });

        second.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await second.Content.ReadAsStringAsync()).Should().Contain("exists").And.NotContain("id=\"one-time-code\"");
        badValidity.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badValidity.Content.ReadAsStringAsync()).Should().Contain("Code valid for: &#x27;soon&#x27; is not a duration");
    }

    [Test]
    public async Task Dashboard_CountsARefusedEnrollmentByItsFailInfo()
    {
        using var viewer = await SignedInAsync("watch", ConsoleTestUsers.ViewerPassword);
        await _host.Admin.AddEntityAsync("wrong-code", "the-right-code", null, null, CancellationToken.None);
        var device = ScepTestClient.NewDevice("CN=wrong-code", "a-wrong-code", keySlot: 49, _host.Cas.Current.Certificate);

        var reply = await _host.Client().SendAsync(device.PkcsReq());
        var dashboard = await viewer.Http.GetStringAsync("/console");

        reply.Status.Should().Be(PkiStatus.Failure);
        Regex.IsMatch(dashboard, $"<tr><td>{reply.FailInfo}</td><td class=\"num\">[1-9][0-9]*</td></tr>").Should().BeTrue(dashboard);
    }

    [Test]
    public async Task AdminApi_StillAuthenticatesItsOwnCallers_AndNotTheConsoleCookie()
    {
        using var ops = await SignedInAsync("ops", ConsoleTestUsers.OperatorPassword);
        using var api = _host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", AdminApi.AdminApiAuthenticationTests.ViewerKey);

        (await api.GetAsync("/admin/api/v1/entities")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ops.Http.GetAsync("/admin/api/v1/entities")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await ops.Http.GetAsync("/console/console.css")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>A request held on the approval alias, and an issued certificate, for the action tests.</summary>
    private async Task<(string PendingId, string Serial)> PendingRequestAndCertificateAsync(string name)
    {
        var ca = _host.Cas.Current.Certificate;
        await _host.Admin.AddEntityAsync($"{name}-held", $"{name}-secret-1", null, null, CancellationToken.None);
        await _host.Admin.AddEntityAsync($"{name}-issued", $"{name}-secret-2", null, null, CancellationToken.None);
        var held = ScepTestClient.NewDevice($"CN={name}-held", $"{name}-secret-1", keySlot: 45, ca);
        (await _host.Client("/scep/approve/pkiclient.exe").SendAsync(held.PkcsReq())).Status.Should().Be(PkiStatus.Pending);
        var issued = ScepTestClient.NewDevice($"CN={name}-issued", $"{name}-secret-2", keySlot: 46, ca);
        var certificate = issued.IssuedFrom(await _host.Client().SendAsync(issued.PkcsReq()));
        var id = (await _host.Admin.ListPendingAsync(CancellationToken.None)).Single(p => p.Username == $"{name}-held").Id;
        return (id, certificate.SerialNumber);
    }

    private ConsoleClient Client() => new(_host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    private async Task<ConsoleClient> SignedInAsync(string name, string password)
    {
        var client = Client();
        using var response = await client.SignInAsync(name, password);
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return client;
    }
}
