using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Reads a receiver's answer (docs/webhooks.md, "The answer"):
/// <c>{"decision": "allow" | "deny" | "pending", "reason": "...", "profileData": {"key": "value"}}</c>.
/// Anything else (not an object, an unknown decision, a profile value that is not a string, too many entries) is
/// not an answer.
/// </summary>
internal static class WebhookChallengeAnswer
{
    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 4, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static bool TryParse(ReadOnlyMemory<byte> body, WebhookChallengeOptions options, out string decision, out string? reason, out Dictionary<string, string> profileData, out string problem)
    {
        decision = "";
        reason = null;
        profileData = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        try
        {
            using var document = JsonDocument.Parse(body, Strict);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("decision", out var d) || d.ValueKind != JsonValueKind.String)
            {
                problem = "no decision";
                return false;
            }

            decision = d.GetString()!;
            if (decision is not ("allow" or "deny" or "pending"))
            {
                problem = "unknown decision";
                return false;
            }

            if (root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
            {
                reason = Printable(r.GetString()!);
            }

            return !root.TryGetProperty("profileData", out var data) || data.ValueKind == JsonValueKind.Null
                || TryReadProfileData(data, options, profileData, out problem);
        }
        catch (JsonException)
        {
            problem = "not JSON";
            return false;
        }
    }

    /// <summary>The failInfoText shown to the device: printable ASCII (RFC 8894 §3.2.1.4 carries it as a UTF8String that clients show as untrusted text), at most <see cref="WebhookChallengeOptions.MaxReasonLength"/> characters.</summary>
    internal static string? Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, WebhookChallengeOptions.MaxReasonLength));
        foreach (var c in text)
        {
            if (builder.Length == WebhookChallengeOptions.MaxReasonLength)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : ' ');
        }

        var result = builder.ToString().Trim();
        return result.Length == 0 ? null : result;
    }

    private static bool TryReadProfileData(JsonElement data, WebhookChallengeOptions options, Dictionary<string, string> profileData, out string problem)
    {
        problem = "";
        if (data.ValueKind != JsonValueKind.Object)
        {
            problem = "profileData is not an object";
            return false;
        }

        foreach (var property in data.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                problem = "a profileData value is not a string";
                return false;
            }

            var value = property.Value.GetString()!;
            if (profileData.Count == options.MaxProfileDataEntries
                || property.Name.Length == 0 || property.Name.Length > options.MaxProfileDataLength || value.Length > options.MaxProfileDataLength
                || !profileData.TryAdd(property.Name, value))
            {
                problem = "profileData over its bounds or with a repeated key";
                return false;
            }
        }

        return true;
    }
}
