using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Scep.Protocol.AspNetCore.Tests.Ndes;

/// <summary>
/// Reads an NDES admin page the way Fleet does (fleetdm/fleet, ee/server/service/scep/scep_proxy.go,
/// GetNDESSCEPChallenge, decodeHTMLResponse and looksLikeUTF16LE): Basic credentials on a GET; any status but 200 is
/// "invalid"; the body is UTF-16LE when it starts with the BOM FF FE, or with '&lt;' 0x00, or when at least 90 % of the
/// odd bytes among the first 100 are 0x00, otherwise (for these tests) UTF-8; then the password regex, then the two
/// sentences for a full cache and a missing permission.
/// </summary>
public static partial class FleetNdesScraper
{
    public enum Outcome
    {
        Password,
        CacheFull,
        InsufficientPermissions,
        Invalid,
    }

    public sealed record Result(Outcome Outcome, string Password, int Status, string Html);

    public static async Task<Result> FetchAsync(HttpClient http, Uri adminUrl, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, adminUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if ((int)response.StatusCode != 200)
        {
            return new Result(Outcome.Invalid, string.Empty, (int)response.StatusCode, string.Empty);
        }

        var html = Decode(body);
        var match = ChallengeRegex().Match(html);
        var challenge = match.Success ? match.Groups["password"].Value : string.Empty;
        if (challenge.Length > 0)
        {
            return new Result(Outcome.Password, challenge, 200, html);
        }

        var outcome = html.Contains("The password cache is full.", StringComparison.Ordinal) ? Outcome.CacheFull
            : html.Contains("You do not have sufficient permission to enroll with SCEP.", StringComparison.Ordinal) ? Outcome.InsufficientPermissions
            : Outcome.Invalid;
        return new Result(outcome, string.Empty, 200, html);
    }

    public static bool LooksLikeUtf16Le(byte[] body)
    {
        if (body.Length < 4)
        {
            return false;
        }

        if ((body[0] == 0xFF && body[1] == 0xFE) || (body[0] == '<' && body[1] == 0x00))
        {
            return true;
        }

        var checkLength = Math.Min(body.Length, 100);
        var nulls = 0;
        for (var i = 1; i < checkLength; i += 2)
        {
            nulls += body[i] == 0 ? 1 : 0;
        }

        var checkedCount = checkLength / 2;
        return checkedCount > 0 && (double)nulls / checkedCount >= 0.9;
    }

    private static string Decode(byte[] body)
    {
        if (LooksLikeUtf16Le(body))
        {
            var start = body.Length >= 2 && body[0] == 0xFF && body[1] == 0xFE ? 2 : 0;
            return Encoding.Unicode.GetString(body, start, body.Length - start);
        }

        return Encoding.UTF8.GetString(body);
    }

    // Fleet's challengeRegex: (?i)The enrollment challenge password is: <B> (?P<password>\S*)
    [GeneratedRegex(@"(?i)The enrollment challenge password is: <B> (?<password>\S*)")]
    private static partial Regex ChallengeRegex();
}
