using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// Debian's headless Chromium driven through its chromedriver (no browser or driver download): a fresh profile per
/// instance, 1280x900, screenshots kept as test attachments and, with <c>SCEP_UPDATE_SCREENSHOTS=1</c>, written to
/// docs/images/console-NAME.png.
/// </summary>
internal sealed class ConsoleBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";
    private const string Install = "apt-get install -y chromium chromium-driver";

    private readonly string _baseUrl;

    private ConsoleBrowser(ChromeDriver driver, string baseUrl)
    {
        Driver = driver;
        _baseUrl = baseUrl;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Whether screenshots also go to docs/images (SCEP_UPDATE_SCREENSHOTS=1).</summary>
    public static bool UpdatesDocs => Environment.GetEnvironmentVariable("SCEP_UPDATE_SCREENSHOTS") == "1";

    /// <summary>A browser for the host at <paramref name="baseUrl"/>; a missing Chromium or driver ignores the test (fails it under CI).</summary>
    public static ConsoleBrowser Start(string baseUrl)
    {
        ExternalPeer.Require(ChromiumPath, Install);
        ExternalPeer.Require(DriverPath, Install);
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // --no-sandbox: CI runs as root, where Chromium's sandbox does not start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US", "--no-first-run");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(60);
        return new ConsoleBrowser(driver, baseUrl);
    }

    public void Open(string path) => Driver.Navigate().GoToUrl(_baseUrl + path);

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public bool Has(string css) => Driver.FindElements(By.CssSelector(css)).Count > 0;

    public string Heading => Find("h1").Text;

    /// <summary>Signs in through the form, by mouse-free typing and a click on the button.</summary>
    public void SignIn(string name, string password)
    {
        Open("/console/sign-in");
        Find("#name").SendKeys(name);
        Find("#password").SendKeys(password);
        Find("#sign-in").Click();
        WaitFor(() => Heading == "Dashboard", "the dashboard after signing in as " + name);
    }

    /// <summary>Waits for a condition of the page, polling every 50 ms, 30 s at most.</summary>
    public void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException)
            {
                // the page is being replaced
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"Timed out waiting for {what}; the page is {Driver.Url}:\n{Driver.FindElement(By.TagName("body")).Text}");
    }

    /// <summary>An HTTP client that sends this browser's console cookies (to fetch a download, or to forge a POST).</summary>
    public HttpClient HttpWithCookies()
    {
        var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(_baseUrl) };
        http.DefaultRequestHeaders.Add("Cookie", string.Join("; ", Driver.Manage().Cookies.AllCookies.Select(c => $"{c.Name}={c.Value}")));
        return http;
    }

    /// <summary>Saves a screenshot as a test attachment (and, for <paramref name="forDocs"/>, in docs/images when asked).</summary>
    public void Screenshot(string name, bool forDocs = true)
    {
        var directory = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-screenshots")).FullName;
        var file = Path.Combine(directory, $"console-{name}.png");
        Driver.GetScreenshot().SaveAsFile(file);
        TestContext.AddTestAttachment(file, $"The console's {name} page");
        if (forDocs && UpdatesDocs)
        {
            File.Copy(file, Path.Combine(RepositoryRoot.Path, "docs", "images", $"console-{name}.png"), overwrite: true);
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
