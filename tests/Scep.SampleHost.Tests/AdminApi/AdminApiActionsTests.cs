using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Storage;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.AdminApi;

/// <summary>
/// The admin API end to end, in process on a SQLite data folder: an entity created with a generated code that is shown
/// once enrolls over SCEP; its certificate is found, revoked and listed in the CRL the API issues; pending requests are
/// approved and rejected; bad input is a 400 with problem details; every action is in the audit log with its caller.
/// </summary>
public class AdminApiActionsTests
{
    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;
    private HttpClient _operator = null!;
    private HttpClient _root = null!;

    [OneTimeSetUp]
    public void StartHost()
    {
        _directory = new TempDirectory("scep-adminapi-");
        _host = new SampleHostFactory(_directory.Path, settings: AdminApiAuthenticationTests.Settings());
        _operator = Client(AdminApiAuthenticationTests.OperatorKey);
        _root = Client(AdminApiAuthenticationTests.AdminKey);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        _operator.Dispose();
        _root.Dispose();
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task CreatedEntity_EnrollsWithTheCodeShownOnce_ThenItsCertificateIsRevokedAndInTheCrl()
    {
        using var created = await _operator.PostAsJsonAsync("/admin/api/v1/entities", new { username = "api-router", codeValidFor = "24h" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.Location!.ToString().Should().Be("/admin/api/v1/entities/api-router");
        var body = await Json(created);
        var code = body.GetProperty("enrollmentCode").GetString()!;
        code.Should().MatchRegex("^[A-Z2-9]{20}$");
        body.GetProperty("entity").GetProperty("status").GetString().Should().Be("New");

        var shown = await _operator.GetStringAsync("/admin/api/v1/entities/api-router");
        shown.Should().NotContain(code, "the code is shown once, at creation").And.NotContainEquivalentOf("hash");

        var ca = _host.Cas.Current.Certificate;
        var device = ScepTestClient.NewDevice("CN=api-router", code, keySlot: 40, ca);
        var reply = await _host.Client().SendAsync(device.PkcsReq());
        reply.Status.Should().Be(PkiStatus.Success);
        var issued = device.IssuedFrom(reply);

        var found = await Json(await _operator.GetAsync($"/admin/api/v1/certificates?search=api-router"));
        found.EnumerateArray().Select(c => c.GetProperty("serialNumber").GetString()).Should().Equal(issued.SerialNumber);
        var single = await Json(await _operator.GetAsync($"/admin/api/v1/certificates/{issued.SerialNumber}"));
        X509Certificate2.CreateFromPem(single.GetProperty("pem").GetString()).RawData.Should().Equal(issued.RawData);

        using var revoked = await _operator.PostAsJsonAsync($"/admin/api/v1/certificates/{issued.SerialNumber}/revoke", new { reason = "keyCompromise" });
        revoked.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json(revoked)).GetProperty("revocationReason").GetString().Should().Be("KeyCompromise");
        using var again = await _operator.PostAsJsonAsync($"/admin/api/v1/certificates/{issued.SerialNumber}/revoke", new { });
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);

        using var crls = await _operator.PostAsync("/admin/api/v1/ca/crl", null);
        crls.StatusCode.Should().Be(HttpStatusCode.OK);
        var crlReply = await _host.Client().SendAsync(device.GetCrl(issued));
        var der = device.Open(crlReply).Crls.Should().ContainSingle().Subject;
        Convert.ToHexString(der.Span).Should().Contain(issued.SerialNumber, "the CRL lists the revoked serial number");

        var audit = await Json(await _operator.GetAsync("/admin/api/v1/audit?take=20"));
        audit.EnumerateArray().Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("target").GetString()} {e.GetProperty("outcome").GetString()}")
            .Should().ContainInOrder(
                "api-key:ops crl.issue  Succeeded",
                $"api-key:ops certificate.revoke {issued.SerialNumber} Refused",
                $"api-key:ops certificate.revoke {issued.SerialNumber} Succeeded",
                "api-key:ops entity.create api-router Succeeded");
        audit.ToString().Should().NotContain(code, "no code in the audit log");
    }

    [Test]
    public async Task CreateEntity_Twice_Is409_AndResetGivesANewCodeAndLiftsTheLockout()
    {
        (await _operator.PostAsJsonAsync("/admin/api/v1/entities", new { username = "twice" })).StatusCode.Should().Be(HttpStatusCode.Created);

        using var second = await _operator.PostAsJsonAsync("/admin/api/v1/entities", new { username = "twice" });
        second.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await second.Content.ReadAsStringAsync()).Should().Contain("exists");

        using var reset = await _operator.PostAsJsonAsync("/admin/api/v1/entities/twice/reset", new { newCode = true });
        reset.StatusCode.Should().Be(HttpStatusCode.OK);
        var code = (await Json(reset)).GetProperty("enrollmentCode").GetString();
        code.Should().MatchRegex("^[A-Z2-9]{20}$");
        var reply = await _host.Client().SendAsync(ScepTestClient.NewDevice("CN=twice", code, keySlot: 41, _host.Cas.Current.Certificate).PkcsReq());
        reply.Status.Should().Be(PkiStatus.Success, "the new code works");
    }

    [Test]
    public async Task DeleteEntity_RemovesIt_AndASecondDeleteIs404()
    {
        (await _operator.PostAsJsonAsync("/admin/api/v1/entities", new { username = "gone" })).EnsureSuccessStatusCode();

        (await _operator.DeleteAsync("/admin/api/v1/entities/gone")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _operator.GetAsync("/admin/api/v1/entities/gone")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _operator.DeleteAsync("/admin/api/v1/entities/gone")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task PendingRequests_AreListedApprovedAndRejected()
    {
        var ca = _host.Cas.Current.Certificate;
        var client = _host.Client("/scep/approve/pkiclient.exe");
        await _host.Admin.AddEntityAsync("held-1", "held-secret-1", null, null, CancellationToken.None);
        await _host.Admin.AddEntityAsync("held-2", "held-secret-2", null, null, CancellationToken.None);
        var first = ScepTestClient.NewDevice("CN=held-1", "held-secret-1", keySlot: 42, ca);
        var second = ScepTestClient.NewDevice("CN=held-2", "held-secret-2", keySlot: 43, ca);
        (await client.SendAsync(first.PkcsReq())).Status.Should().Be(PkiStatus.Pending);
        (await client.SendAsync(second.PkcsReq())).Status.Should().Be(PkiStatus.Pending);

        var pending = (await Json(await _operator.GetAsync("/admin/api/v1/pending"))).EnumerateArray().ToDictionary(p => p.GetProperty("username").GetString()!, p => p.GetProperty("id").GetString()!);
        using var approved = await _operator.PostAsync($"/admin/api/v1/pending/{pending["held-1"]}/approve", null);
        using var rejected = await _operator.PostAsJsonAsync($"/admin/api/v1/pending/{pending["held-2"]}/reject", new { reason = "Not on the inventory." });
        using var twice = await _operator.PostAsync($"/admin/api/v1/pending/{pending["held-1"]}/approve", null);

        approved.StatusCode.Should().Be(HttpStatusCode.OK);
        rejected.StatusCode.Should().Be(HttpStatusCode.NoContent);
        twice.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await client.SendAsync(first.CertPoll(ca))).Status.Should().Be(PkiStatus.Success);
        var refusal = await client.SendAsync(second.CertPoll(ca));
        refusal.Status.Should().Be(PkiStatus.Failure);
        refusal.FailInfoText.Should().Be("Not on the inventory.");
    }

    [Test]
    public async Task CaStatus_ShowsTheCaAndItsCrl_AndRolloverNeedsAnAdminAndHappensOnce()
    {
        (await _operator.PostAsync("/admin/api/v1/ca/crl", null)).EnsureSuccessStatusCode();
        var status = (await Json(await _operator.GetAsync("/admin/api/v1/ca"))).EnumerateArray().ToArray();
        status.Should().ContainSingle();
        status[0].GetProperty("sha256").GetString().Should().Be(_host.Cas.Current.Id);
        status[0].GetProperty("crl").GetProperty("nextUpdate").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow);

        (await _operator.PostAsync("/admin/api/v1/ca/rollover", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var rolled = await _root.PostAsync("/admin/api/v1/ca/rollover", null);
        using var again = await _root.PostAsync("/admin/api/v1/ca/rollover", null);

        rolled.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json(rolled)).GetProperty("isNext").GetBoolean().Should().BeTrue();
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Json(await _operator.GetAsync("/admin/api/v1/ca"))).GetArrayLength().Should().Be(2);
        var audit = await _host.Admin.ListAuditAsync(10, null, CancellationToken.None);
        audit.Where(e => e.Action == "ca.rollover").Select(e => (e.Actor, e.Outcome)).Should().Equal(("api-key:root", AuditOutcome.Refused), ("api-key:root", AuditOutcome.Succeeded));
    }

    [TestCase("POST", "/admin/api/v1/entities", "{not json", TestName = "CreateEntity_MalformedJson_Is400")]
    [TestCase("POST", "/admin/api/v1/entities", "{\"username\":\"\"}", TestName = "CreateEntity_EmptyUsername_Is400")]
    [TestCase("POST", "/admin/api/v1/entities", "{\"username\":\"x\",\"codeValidFor\":\"soon\"}", TestName = "CreateEntity_BadDuration_Is400")]
    [TestCase("POST", "/admin/api/v1/entities", "{\"username\":\"x\",\"subjectDn\":\"not a dn ===\"}", TestName = "CreateEntity_BadSubject_Is400")]
    [TestCase("POST", "/admin/api/v1/entities", "{\"username\":\"a\\u0000b\"}", TestName = "CreateEntity_ControlCharacterInUsername_Is400")]
    [TestCase("POST", "/admin/api/v1/entities", "[1,2,3]", TestName = "CreateEntity_JsonArray_Is400")]
    [TestCase("POST", "/admin/api/v1/certificates/0A/revoke", "{\"reason\":\"because\"}", TestName = "Revoke_UnknownReason_Is400")]
    [TestCase("POST", "/admin/api/v1/certificates/0A/revoke", "{\"reason\":\"99\"}", TestName = "Revoke_UnknownReasonCode_Is400")]
    [TestCase("GET", "/admin/api/v1/certificates?take=0", null, TestName = "ListCertificates_TakeZero_Is400")]
    [TestCase("GET", "/admin/api/v1/certificates?take=abc", null, TestName = "ListCertificates_TakeNotANumber_Is400")]
    [TestCase("GET", "/admin/api/v1/audit?take=100000", null, TestName = "ListAudit_TakeTooLarge_Is400")]
    public async Task BadInput_Is400WithProblemDetails_AndChangesNothing(string method, string path, string? body)
    {
        var before = (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Count;
        using var request = AdminApiAuthenticationTests.Request(method, path, AdminApiAuthenticationTests.OperatorKey, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));

        using var response = await _host.CreateClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().NotContain("   at ", "no stack trace");
        (await _host.Admin.ListEntitiesAsync(CancellationToken.None)).Count.Should().Be(before);
    }

    [Test]
    public async Task OversizedBody_IsRefusedWith413()
    {
        var huge = "{\"username\":\"" + new string('a', 100_000) + "\"}";
        using var request = AdminApiAuthenticationTests.Request("POST", "/admin/api/v1/entities", AdminApiAuthenticationTests.OperatorKey, new StringContent(huge, Encoding.UTF8, "application/json"));

        using var response = await _host.CreateClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task AdminCommand_IsAuditedWithTheOperatingSystemUser()
    {
        using var output = new System.IO.StringWriter();
        var exit = await AdminCommands.RunAsync(["reset-entity", "nobody-here"], _host.Services, output, output, CancellationToken.None);

        exit.Should().Be(1);
        var entry = (await _host.Admin.ListAuditAsync(1, null, CancellationToken.None)).Single();
        entry.Should().BeEquivalentTo(new { Actor = $"cli:{Environment.UserName}", Action = "entity.reset", Target = "nobody-here", Outcome = AuditOutcome.Refused });
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"the answer was {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private HttpClient Client(string key)
    {
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
