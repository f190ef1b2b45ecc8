using System;
using System.Text.RegularExpressions;

namespace Scep.Protocol.Upstream;

/// <summary>
/// The reason kept on a rejected request (<c>PendingApproval.Reason</c>) when the upstream refused it, which carries the
/// upstream's failInfo, so that a device polling later gets the same failInfo as one answered at once.
/// </summary>
internal static partial class UpstreamRefusal
{
    public const string Unreachable = "The upstream CA could not be reached; send a new request later.";

    public static string Format(FailInfo? failInfo, string? text)
    {
        var reason = string.IsNullOrWhiteSpace(text) ? "no reason given" : text.Trim();
        if (reason.Length > 200)
        {
            reason = reason[..200];
        }

        return $"The upstream CA refused the request (failInfo {failInfo ?? FailInfo.BadRequest}): {reason}";
    }

    /// <summary>The failInfo a stored reason names; badRequest for any other reason.</summary>
    public static FailInfo FailInfoOf(string? reason) =>
        reason is not null && Stored().Match(reason) is { Success: true } match && Enum.TryParse<FailInfo>(match.Groups[1].Value, out var failInfo)
            ? failInfo
            : FailInfo.BadRequest;

    [GeneratedRegex(@"^The upstream CA refused the request \(failInfo (\w+)\)")]
    private static partial Regex Stored();
}
