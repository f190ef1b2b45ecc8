using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>
/// A browser's part of the console over plain HTTP: cookies kept, redirects not followed (so each answer is seen),
/// forms posted with the antiforgery token of the page they are on.
/// </summary>
internal sealed partial class ConsoleClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    /// <summary>Signs in; returns the answer to the sign-in POST (302 to the dashboard when it worked).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string name, string password)
    {
        var token = await TokenAsync("/console/sign-in");
        return await Http.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = token, ["name"] = name, ["password"] = password }));
    }

    /// <summary>Posts a form of the page at <paramref name="pagePath"/> to <paramref name="action"/>, with the page's token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string pagePath, string action, IDictionary<string, string> fields)
    {
        var form = new Dictionary<string, string>(fields) { ["__csrf"] = await TokenAsync(pagePath) };
        return await Http.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>The antiforgery token in the forms of a page (for the user signed in now).</summary>
    public async Task<string> TokenAsync(string pagePath)
    {
        var html = await Http.GetStringAsync(pagePath);
        return Token().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"{pagePath} has no form token:\n{html}");
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
