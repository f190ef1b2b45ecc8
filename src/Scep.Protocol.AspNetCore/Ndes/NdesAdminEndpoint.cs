using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.AspNetCore;

/// <summary>GET /certsrv/mscep_admin/: authenticate, then hand out a password or say the cache is full. Every handout is logged (who, when; never the password).</summary>
internal sealed partial class NdesAdminEndpoint(NdesPasswordCache cache, NdesOptions options, TimeProvider time, ILogger<NdesAdminEndpoint> logger)
{
    private readonly NdesAdminAuthentication _authentication = new(options);

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        var result = _authentication.Authenticate(context);
        if (result.Caller is null)
        {
            if (result.Status == StatusCodes.Status401Unauthorized)
            {
                // RFC 7617 §2: the challenge names the scheme, a realm and the charset of user-id and password.
                response.Headers.WWWAuthenticate = "Basic realm=\"NDES\", charset=\"UTF-8\"";
            }

            LogRefused(logger, result.Status, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            response.StatusCode = result.Status;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(result.Reason!, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var minutes = (int)Math.Ceiling(options.PasswordValidity.TotalMinutes);
        var password = cache.TryIssue();
        byte[] body;
        if (password is null)
        {
            LogCacheFull(logger, result.Caller, options.PasswordMax);
            body = NdesAdminPage.Full(options.PasswordMax, minutes);
        }
        else
        {
            LogHandedOut(logger, result.Caller, time.GetUtcNow(), options.Alias);
            body = NdesAdminPage.Password(password, minutes);
        }

        // NDES answers 200 for both pages; Fleet tells them apart by the text.
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = NdesAdminPage.ContentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "NDES enrollment password handed out to {Caller} at {Time:O} for alias {Alias}")]
    private static partial void LogHandedOut(ILogger logger, string caller, DateTimeOffset time, string alias);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "NDES password cache is full ({Max} outstanding); {Caller} got the cache-full page")]
    private static partial void LogCacheFull(ILogger logger, string caller, int max);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "NDES admin page refused a request with {Status} from {Remote}")]
    private static partial void LogRefused(ILogger logger, int status, string remote);
}
