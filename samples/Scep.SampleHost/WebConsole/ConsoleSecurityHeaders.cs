using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// The headers of every console response: no script, style or frame from anywhere but the host (the console has no
/// script at all), never framed, no referrer to other sites, and nothing cached (a page may show a one-time code).
/// </summary>
internal static class ConsoleSecurityHeaders
{
    public const string ContentSecurityPolicy = "default-src 'self'; style-src 'self'; img-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
