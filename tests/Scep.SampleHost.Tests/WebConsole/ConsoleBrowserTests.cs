using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using OpenQA.Selenium;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// The console in a real headless Chromium against the sample host run as a process: an operator adds an entity,
/// micromdm's scepclient enrolls with the code the page showed, the dashboard counts it, the operator revokes it and
/// the CRL the console serves lists its serial; a viewer sees no approve button and a forged approve is a 403; sign-in
/// works by keyboard alone; every input of every page has a label.
/// </summary>
[NonParallelizable]
public class ConsoleBrowserTests
{
    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        ExternalPeer.Require(ConsoleBrowser.ChromiumPath, "apt-get install -y chromium chromium-driver");
        ExternalPeer.Require(ConsoleBrowser.DriverPath, "apt-get install -y chromium chromium-driver");
        _directory = new TempDirectory("scep-console-browser-");
        var settings = ConsoleTestUsers.Environment();
        settings["SampleHost__CaKeySize"] = "2048";
        settings["Scep__Aliases__approve__Mode"] = "Ca";
        settings["SampleHost__ApprovalAliases__0"] = "approve";
        _host = await HostProcess.StartAsync(_directory.Sub("data"), settings);
        using var http = new HttpClient();
        _ca = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(_host.BaseUrl + "/scep/pkiclient.exe?operation=GetCACert"));
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory?.Dispose();
        _ca?.Dispose();
    }

    [Test]
    public async Task Operator_AddsAnEntity_ScepclientEnrollsWithTheCodeShown_TheDashboardCountsIt_AndItsRevocationIsInTheCrl()
    {
        ExternalPeer.Require("scepclient", "apt-get install -y scep");
        using var browser = ConsoleBrowser.Start(_host.BaseUrl);
        browser.Open("/console/sign-in");
        browser.Screenshot("sign-in");
        browser.SignIn("ops", ConsoleTestUsers.OperatorPassword);
        var before = int.Parse(browser.Find("#enrollments-24h").Text, System.Globalization.CultureInfo.InvariantCulture);

        browser.Open("/console/entities");
        browser.Find("#username").SendKeys("browser-router");
        browser.Find("#alias option[value='legacy']").Click();
        browser.Find("#codeValidFor").SendKeys("1h");
        browser.Find("#add-entity").Click();
        browser.WaitFor(() => browser.Has("#one-time-code"), "the one-time code");
        var code = browser.Find("#one-time-code").Text;
        code.Should().MatchRegex("^[A-Z2-9]{20}$");
        browser.Screenshot("entity-code");

        var certificate = await EnrollAsync("browser-router", code);

        browser.Open("/console");
        browser.Find("#enrollments-24h").Text.Should().Be((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "the dashboard counts the enrollment");
        browser.Driver.FindElements(By.CssSelector("#enrollments-table td.num"))
            .Sum(cell => int.Parse(cell.GetAttribute("textContent") ?? "0", System.Globalization.CultureInfo.InvariantCulture))
            .Should().Be(before + 1, "the table beside the chart says the same");
        browser.Screenshot("dashboard");

        browser.Open("/console/certificates");
        browser.Find("#search").SendKeys("browser-router" + Keys.Enter);
        browser.WaitFor(() => browser.Driver.Url.Contains("search=browser-router", StringComparison.Ordinal), "the search");
        var rows = browser.Driver.FindElements(By.CssSelector("#certificates-table tbody tr"));
        rows.Should().ContainSingle().Which.Text.Should().Contain(certificate.SerialNumber).And.Contain("CN=browser-router");
        browser.Find($"#certificates-table a[href$='{certificate.SerialNumber}']").Click();
        browser.WaitFor(() => browser.Has("#serial"), "the certificate's page");
        browser.Find("#serial").Text.Should().Be(certificate.SerialNumber);
        using (var pemClient = browser.HttpWithCookies())
        {
            var pem = await pemClient.GetStringAsync(browser.Find("#download-pem").GetAttribute("href"));
            X509Certificate2.CreateFromPem(pem).RawData.Should().Equal(certificate.RawData, "the PEM download is the issued certificate");
        }

        browser.Find("#reason option[value='KeyCompromise']").Click();
        browser.Screenshot("certificate");
        browser.Find("#revoke").Click();
        browser.WaitFor(() => browser.Find("#status").Text.StartsWith("Revoked", StringComparison.Ordinal), "the revocation");
        browser.Find("#status").Text.Should().Contain("KeyCompromise");
        browser.Has("#revoke").Should().BeFalse("a revoked certificate has no revoke button");

        browser.Open("/console");
        browser.Find("#issue-crl").Click();
        browser.WaitFor(() => browser.Has("#crl-current"), "the CRL link");
        using var http = browser.HttpWithCookies();
        var crl = await http.GetByteArrayAsync(browser.Find("#crl-current").GetAttribute("href"));
        var crlFile = _directory.File("console.crl");
        await File.WriteAllBytesAsync(crlFile, crl);
        var text = await ExternalPeer.RunAsync(ExternalPeer.Require("openssl", "apt-get install -y openssl"), ["crl", "-inform", "DER", "-in", crlFile, "-noout", "-text"]);
        text.Output.Should().Contain($"Serial Number: {certificate.SerialNumber}").And.Contain("Key Compromise");
        browser.Find("#crl-next-update-current").Text.Should().MatchRegex("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$");

        browser.Open("/console/audit");
        browser.Find("#audit-table").Text.Should().Contain("console:ops").And.Contain("entity.create").And.Contain("certificate.revoke").And.NotContain(code);
        Directory.GetFiles(Path.Combine(_host.DataDirectory, "console-keys"), "key-*.xml").Should().NotBeEmpty("the cookie keys are kept in the data folder");
        _host.Output.Should().NotContain(ConsoleTestUsers.OperatorPassword).And.NotContain(code);
    }

    [Test]
    public async Task Viewer_HasNoApproveButton_AndAForgedApprovePostIs403()
    {
        var id = await PendingRequestAsync("held-for-viewer", keySlot: 47);
        using var browser = ConsoleBrowser.Start(_host.BaseUrl);
        browser.SignIn("watch", ConsoleTestUsers.ViewerPassword);

        browser.Open("/console/pending");
        browser.Find("#pending-table").Text.Should().Contain(id);
        browser.Driver.FindElements(By.CssSelector("button")).Select(b => b.Text).Should().Equal(["Sign out"], "a viewer gets no action buttons");
        var token = browser.Find("input[name='__csrf']").GetAttribute("value") ?? string.Empty;
        using var http = browser.HttpWithCookies();
        using var forged = await http.PostAsync("/console/pending?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = token, ["id"] = id }));

        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden, await forged.Content.ReadAsStringAsync());
        var pending = await _host.AdminAsync("list-pending");
        pending.Output.Should().Contain(id, "the request is still pending");
        browser.Screenshot("pending-viewer", forDocs: false);
    }

    [Test]
    public void SignIn_ByKeyboardAlone_TabsThroughTheFieldsAndEnterSubmits()
    {
        using var browser = ConsoleBrowser.Start(_host.BaseUrl);
        browser.Open("/console/sign-in");

        Active(browser).Should().Be("name", "the name field has the focus first");
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys("ops").SendKeys(Keys.Tab).Perform();
        Active(browser).Should().Be("password");
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(ConsoleTestUsers.OperatorPassword).SendKeys(Keys.Tab).Perform();
        Active(browser).Should().Be("sign-in", "Tab reaches the button");
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(Keys.Enter).Perform();

        browser.WaitFor(() => browser.Heading == "Dashboard", "the dashboard");
        browser.Find("#role").Text.Should().Be("Operator");
    }

    [Test]
    public async Task EveryPage_HasOneHeading_ANavLandmark_AndALabelForEveryInput()
    {
        await PendingRequestAsync("held-for-labels", keySlot: 48);
        var serial = await IssuedSerialAsync("issued-for-labels", keySlot: 50);
        using var browser = ConsoleBrowser.Start(_host.BaseUrl);
        browser.Open("/console/sign-in");
        LabelProblems(browser).Should().BeEmpty("/console/sign-in");
        browser.SignIn("root", ConsoleTestUsers.AdminPassword);

        var pages = new List<string> { "/console", "/console/entities", "/console/pending", "/console/certificates", $"/console/certificates/{serial}", "/console/aliases", "/console/audit" };

        foreach (var page in pages)
        {
            browser.Open(page);
            browser.Driver.FindElements(By.TagName("h1")).Should().ContainSingle(page);
            browser.Driver.FindElements(By.CssSelector("nav[aria-label='Console sections'] a")).Should().HaveCount(6, page);
            browser.Driver.FindElements(By.CssSelector("nav a[aria-current='page']")).Should().ContainSingle(page);
            LabelProblems(browser).Should().BeEmpty(page);
        }

        browser.Open("/console/pending");
        browser.Driver.FindElements(By.CssSelector("input[name='reason']")).Should().NotBeEmpty("the reject reason is on the page checked");
        browser.Open($"/console/certificates/{serial}");
        browser.Driver.FindElements(By.CssSelector("select#reason")).Should().ContainSingle("the revocation reason is on the page checked");
        browser.Open("/console/aliases");
        browser.Find(".capabilities").Text.Should().NotBeEmpty();
        browser.Screenshot("aliases");
    }

    /// <summary>Each visible input, select or textarea without a label (label[for=id], or aria-label).</summary>
    private static List<string> LabelProblems(ConsoleBrowser browser)
    {
        var problems = new List<string>();
        foreach (var input in browser.Driver.FindElements(By.CssSelector("input:not([type='hidden']), select, textarea")))
        {
            var id = input.GetAttribute("id");
            var labelled = !string.IsNullOrEmpty(input.GetAttribute("aria-label"))
                || (!string.IsNullOrEmpty(id) && browser.Driver.FindElements(By.CssSelector($"label[for='{id}']")).Any(l => (l.GetAttribute("textContent") ?? string.Empty).Trim().Length > 0));
            if (!labelled)
            {
                problems.Add($"{input.TagName} name={input.GetAttribute("name")} id={id}");
            }
        }

        return problems;
    }

    private static string Active(ConsoleBrowser browser) => browser.Driver.SwitchTo().ActiveElement().GetAttribute("id") ?? string.Empty;

    /// <summary>A CA-mode request on the approval alias, held PENDING; returns its id.</summary>
    private async Task<string> PendingRequestAsync(string username, int keySlot)
    {
        var added = await _host.AdminAsync("add-entity", "--username", username, "--password", "Pw-" + username, "--alias", "approve");
        added.ExitCode.Should().Be(0, added.Error);
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var client = new ScepTestClient(http, "/scep/approve/pkiclient.exe", replySigner: _ca);
        (await client.SendAsync(ScepTestClient.NewDevice($"CN={username}", "Pw-" + username, keySlot, _ca).PkcsReq())).Status.Should().Be(PkiStatus.Pending);
        var listed = await _host.AdminAsync("list-pending");
        return listed.Output.Split('\n').Single(l => l.Contains(username, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }

    /// <summary>A certificate issued on the default CA-mode alias; returns its serial number.</summary>
    private async Task<string> IssuedSerialAsync(string username, int keySlot)
    {
        var added = await _host.AdminAsync("add-entity", "--username", username, "--password", "Pw-" + username);
        added.ExitCode.Should().Be(0, added.Error);
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        var client = new ScepTestClient(http, "/scep/pkiclient.exe", replySigner: _ca);
        var device = ScepTestClient.NewDevice($"CN={username}", "Pw-" + username, keySlot, _ca);
        return device.IssuedFrom(await client.SendAsync(device.PkcsReq())).SerialNumber;
    }

    /// <summary>micromdm's scepclient enrolls on the legacy alias (DES, SHA-1); returns the certificate it wrote.</summary>
    private async Task<X509Certificate2> EnrollAsync(string commonName, string challenge)
    {
        var pem = await EnrollScripts.EnrollAsync("enroll-scepclient.sh", $"{_host.BaseUrl}/scep/legacy/pkiclient.exe", commonName, challenge, _directory.Sub("scepclient-" + commonName));
        return X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pem));
    }
}
