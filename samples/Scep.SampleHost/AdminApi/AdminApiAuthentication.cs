using System;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// Authenticates admin API callers: an API key (<c>Authorization: Bearer KEY</c>, or <c>X-Api-Key: KEY</c>), otherwise
/// the TLS client certificate of the connection, pinned by fingerprint. No key and no certificate: no caller (401); a
/// wrong one: 401 too, logged with the remote address and never the key. Challenges and refusals are problem details.
/// </summary>
internal sealed partial class AdminApiAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AdminCallers callers, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminApi";

    /// <summary>The role claim's type.</summary>
    public const string RoleClaim = "scep-admin-role";

    /// <summary>The longest key looked at; longer ones are refused without hashing.</summary>
    private const int MaxKeyLength = 512;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        (string Name, AdminRole Role)? caller;
        if (key is not null)
        {
            caller = key.Length is > 0 and <= MaxKeyLength ? callers.FindByKey(key) : null;
        }
        else if (Context.Connection.ClientCertificate is { } certificate)
        {
            caller = callers.FindByCertificate(certificate, time.GetUtcNow());
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (caller is not { } found)
        {
            Log.Refused(Logger, key is null ? "client certificate" : "API key", Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Task.FromResult(AuthenticateResult.Fail("The credentials are not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, found.Name), new Claim(RoleClaim, found.Role.ToString())], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"scep-admin\"";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required", detail: "Send an admin API key (Authorization: Bearer KEY) or a configured client certificate.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: "Your role does not allow this action.")
            .ExecuteAsync(Context).ConfigureAwait(false);

    /// <summary>The key of <c>Authorization: Bearer</c> or <c>X-Api-Key</c>; empty for a malformed header; null for none.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.Authorization.Count > 0)
        {
            var value = request.Headers.Authorization.ToString();
            return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : string.Empty;
        }

        return request.Headers.TryGetValue("X-Api-Key", out var header) ? header.ToString().Trim() : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Admin API: refused the {Credential} of a caller at {RemoteAddress}")]
        public static partial void Refused(ILogger logger, string credential, string remoteAddress);
    }
}
