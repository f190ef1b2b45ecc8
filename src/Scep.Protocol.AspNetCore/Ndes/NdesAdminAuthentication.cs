using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Scep.Protocol.AspNetCore;

/// <summary>
/// Who asks the admin page for a password: HTTP Basic (RFC 7617) or an API key header, both checked against the
/// configured secrets in constant time (CryptographicOperations.FixedTimeEquals over SHA-256 of both sides, every
/// configured secret compared, so neither which user matched nor a secret's length shows in the timing). NTLM, NDES's
/// default, is not offered.
/// </summary>
internal sealed class NdesAdminAuthentication
{
    private const int MaxAuthorizationLength = 4096;
    private readonly (byte[] User, byte[] Password, string Name)[] _users;
    private readonly (byte[] Key, int Index)[] _keys;
    private readonly string _apiKeyHeader;
    private readonly bool _allowHttp;

    public NdesAdminAuthentication(NdesOptions options)
    {
        _users = [.. options.Users.Select(u => (Digest(u.Key), Digest(u.Value), u.Key))];
        _keys = [.. options.ApiKeys.Select((k, i) => (Digest(k), i))];
        _apiKeyHeader = options.ApiKeyHeader;
        _allowHttp = options.AllowBasicOverHttp;
    }

    /// <summary>The outcome: the caller's name for the log, or the status and reason to answer with.</summary>
    public readonly record struct Result(string? Caller, int Status, string? Reason);

    public Result Authenticate(HttpContext context)
    {
        var headers = context.Request.Headers;
        var apiKey = headers[_apiKeyHeader];
        var authorization = headers.Authorization;
        if (apiKey.Count == 0 && authorization.Count == 0)
        {
            return new Result(null, StatusCodes.Status401Unauthorized, "Authentication is required.");
        }

        // A credential sent in the clear is refused (and not checked, so it tells nothing), unless tests on loopback allow it.
        if (!context.Request.IsHttps && !(_allowHttp && IsLoopback(context.Connection.RemoteIpAddress)))
        {
            return new Result(null, StatusCodes.Status403Forbidden, "Credentials are accepted over HTTPS only.");
        }

        if (apiKey.Count > 0)
        {
            var key = apiKey.Count == 1 && apiKey[0]!.Length <= MaxAuthorizationLength ? apiKey[0]! : string.Empty;
            var index = MatchKey(Digest(key));
            return index is null ? Unauthorized : new Result($"api-key #{index}", 0, null);
        }

        return Basic(authorization.Count == 1 ? authorization[0] : null) is { } caller ? new Result(caller, 0, null) : Unauthorized;
    }

    private static Result Unauthorized => new(null, StatusCodes.Status401Unauthorized, "The credentials are not valid.");

    /// <summary>RFC 7617 §2: "Basic" then base64 of user-id ':' password; anything else (bad base64, no colon) is no credential.</summary>
    private string? Basic(string? authorization)
    {
        if (authorization is null || authorization.Length > MaxAuthorizationLength
            || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = authorization.AsSpan(6).Trim();
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var user = Digest(decoded[..colon]);
        var password = Digest(decoded[(colon + 1)..]);
        string? matched = null;
        foreach (var candidate in _users)
        {
            // Both compared every time (non-short-circuit &), for every user.
            var hit = CryptographicOperations.FixedTimeEquals(candidate.User, user) & CryptographicOperations.FixedTimeEquals(candidate.Password, password);
            matched = hit ? candidate.Name : matched;
        }

        return matched;
    }

    private int? MatchKey(byte[] presented)
    {
        int? matched = null;
        foreach (var (key, index) in _keys)
        {
            matched = CryptographicOperations.FixedTimeEquals(key, presented) ? index : matched;
        }

        return matched;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
