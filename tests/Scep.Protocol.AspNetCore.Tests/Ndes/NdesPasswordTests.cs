using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests.Ndes;

/// <summary>The admin page's passwords over real HTTP, read by Fleet's parsing rules, spent by PKCSReqs at /certsrv/mscep/mscep.dll.</summary>
public class NdesPasswordTests
{
    [Test]
    public async Task AdminPage_ForABasicUser_GivesAPasswordFleetsParserReads()
    {
        await using var host = await NdesTestHost.StartAsync();

        var answer = await host.SendAsync(System.Net.Http.HttpMethod.Get, "certsrv/mscep_admin/", edit: r => r.Headers.Authorization = Basic(NdesTestHost.User, NdesTestHost.UserPassword));
        var scraped = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);

        answer.Status.Should().Be(200);
        answer.ContentType.Should().Be("text/html; charset=utf-16le");
        FleetNdesScraper.LooksLikeUtf16Le(answer.Body).Should().BeTrue("NDES answers UTF-16LE and Fleet checks for it first");
        answer.Headers.CacheControl!.NoStore.Should().BeTrue();
        scraped.Outcome.Should().Be(FleetNdesScraper.Outcome.Password);
        scraped.Password.Should().MatchRegex("^[0-9A-F]{16}$", "NDES's default: 8 random bytes in upper-case hex");
        scraped.Html.Should().Contain("will expire within 60 minutes");
    }

    [Test]
    public async Task AdminPage_WithoutTrailingSlash_AlsoAnswers()
    {
        await using var host = await NdesTestHost.StartAsync();

        var scraped = await FleetNdesScraper.FetchAsync(host.Http, new Uri(host.BaseAddress, "certsrv/mscep_admin"), NdesTestHost.User, NdesTestHost.UserPassword);

        scraped.Outcome.Should().Be(FleetNdesScraper.Outcome.Password);
    }

    [Test]
    public async Task Passwords_AreDifferentEachTime()
    {
        await using var host = await NdesTestHost.StartAsync();

        var first = await host.ScrapePasswordAsync();
        var second = await host.ScrapePasswordAsync();

        first.Should().NotBe(second);
    }

    [TestCase("certsrv/mscep/mscep.dll")]
    [TestCase("certsrv/mscep/mscep.dll/pkiclient.exe")]
    public async Task ScrapedPassword_EnrollsOnce_ASecondDeviceWithItGetsASignedFailure(string path)
    {
        await using var host = await NdesTestHost.StartAsync();
        var password = await host.ScrapePasswordAsync();
        var first = Enrollee.Create("CN=ndes-first", password, keySlot: 11);
        var second = Enrollee.Create("CN=ndes-second", password, keySlot: 12);

        var issued = first.IssuedFrom(await host.EnrollAsync(first, path));
        var refused = second.ReplyFrom(await host.EnrollAsync(second, path));

        issued.Subject.Should().Be("CN=ndes-first");
        refused.Status.Should().Be(PkiStatus.Failure);
        refused.FailInfo.Should().Be(FailInfo.BadRequest);
        refused.FailInfoText.Should().Be("The challenge password is not valid.");
        second.IssuedCount(host).Should().Be(0);
    }

    [Test]
    public async Task ResentCopyOfTheSameRequest_AfterItSpentThePassword_GetsTheSameCertificate()
    {
        await using var host = await NdesTestHost.StartAsync();
        var device = Enrollee.Create("CN=ndes-resend", await host.ScrapePasswordAsync(), keySlot: 13);

        var first = device.IssuedFrom(await host.EnrollAsync(device));
        var again = device.IssuedFrom(await host.EnrollAsync(device));

        again.SerialNumber.Should().Be(first.SerialNumber, "RFC 8894 §3.3.2: a re-sent request is answered from the record");
        device.IssuedCount(host).Should().Be(1);
    }

    [Test]
    public async Task UnknownPassword_GetsASignedFailure()
    {
        await using var host = await NdesTestHost.StartAsync();
        _ = await host.ScrapePasswordAsync();
        var device = Enrollee.Create("CN=ndes-guess", "0123456789ABCDEF", keySlot: 14);

        var reply = device.ReplyFrom(await host.EnrollAsync(device));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public async Task ExpiredPassword_GetsASignedFailure()
    {
        await using var host = await NdesTestHost.StartAsync(o => o.PasswordValidity = TimeSpan.FromMinutes(5));
        var password = await host.ScrapePasswordAsync();
        var device = Enrollee.Create("CN=ndes-late", password, keySlot: 15);

        host.Clock().Advance(TimeSpan.FromMinutes(5));
        var reply = device.ReplyFrom(await host.EnrollAsync(device));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        device.IssuedCount(host).Should().Be(0);
    }

    [Test]
    public async Task PasswordStillValid_JustBeforeExpiry_Enrolls()
    {
        await using var host = await NdesTestHost.StartAsync(o => o.PasswordValidity = TimeSpan.FromMinutes(5));
        var device = Enrollee.Create("CN=ndes-in-time", await host.ScrapePasswordAsync(), keySlot: 16);

        host.Clock().Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var issued = device.IssuedFrom(await host.EnrollAsync(device));

        issued.Subject.Should().Be("CN=ndes-in-time");
    }

    [Test]
    public async Task PasswordMaxOutstanding_GivesTheCacheFullPage_UntilOneIsUsed()
    {
        await using var host = await NdesTestHost.StartAsync(o => o.PasswordMax = 2);
        var first = await host.ScrapePasswordAsync();
        _ = await host.ScrapePasswordAsync();

        var full = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);
        var device = Enrollee.Create("CN=ndes-frees-one", first, keySlot: 17);
        device.IssuedFrom(await host.EnrollAsync(device));
        var afterUse = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);

        full.Status.Should().Be(200, "NDES answers the full cache with 200; Fleet reads the text");
        full.Outcome.Should().Be(FleetNdesScraper.Outcome.CacheFull);
        afterUse.Outcome.Should().Be(FleetNdesScraper.Outcome.Password);
    }

    [Test]
    public async Task CacheFull_ClearsWhenPasswordsExpire()
    {
        await using var host = await NdesTestHost.StartAsync(o => o.PasswordMax = 1);
        _ = await host.ScrapePasswordAsync();
        var full = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);

        host.Clock().Advance(TimeSpan.FromMinutes(60));
        var later = await FleetNdesScraper.FetchAsync(host.Http, host.AdminUrl(), NdesTestHost.User, NdesTestHost.UserPassword);

        full.Outcome.Should().Be(FleetNdesScraper.Outcome.CacheFull);
        later.Outcome.Should().Be(FleetNdesScraper.Outcome.Password);
    }

    [Test]
    public async Task OnePassword_SentByManyDevicesAtOnce_EnrollsExactlyOne()
    {
        await using var host = await NdesTestHost.StartAsync();
        var password = await host.ScrapePasswordAsync();
        var devices = Enumerable.Range(0, 8).Select(i => Enrollee.Create($"CN=ndes-race-{i}", password, keySlot: 20 + i)).ToArray();

        var answers = await Task.WhenAll(devices.Select(d => host.EnrollAsync(d)));

        var replies = devices.Zip(answers, (d, a) => d.ReplyFrom(a)).ToArray();
        replies.Count(r => r.Status == PkiStatus.Success).Should().Be(1);
        replies.Count(r => r.Status == PkiStatus.Failure).Should().Be(devices.Length - 1);
        devices.Sum(d => d.IssuedCount(host)).Should().Be(1);
    }

    [Test]
    public async Task OtherAliases_AreNotTouched_TheirOwnChallengeStillWorks()
    {
        await using var host = await NdesTestHost.StartAsync();
        var device = Enrollee.Create("CN=plain-ra", ScepKestrelHost.RaChallenge, keySlot: 18);

        var issued = device.IssuedFrom(await host.PostAsync("scep/ra/pkiclient.exe?operation=PKIOperation", device.Request.RawData));

        issued.Subject.Should().Be("CN=plain-ra");
    }

    internal static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":" + password)));
}
