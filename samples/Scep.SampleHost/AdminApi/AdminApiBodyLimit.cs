using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// The admin API's request bodies are at most <see cref="AdminApiEndpoints.MaxBodyBytes"/>: a declared longer one is
/// refused (413) before it is read, and the server's own limit stops a chunked one at that size.
/// </summary>
internal static class AdminApiBodyLimit
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength > AdminApiEndpoints.MaxBodyBytes)
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"The admin API accepts bodies of at most {AdminApiEndpoints.MaxBodyBytes} bytes.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = AdminApiEndpoints.MaxBodyBytes;
        }

        await next(context).ConfigureAwait(false);
    }
}
