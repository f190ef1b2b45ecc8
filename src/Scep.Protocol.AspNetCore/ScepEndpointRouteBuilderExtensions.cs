using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.AspNetCore;

/// <summary>Maps the SCEP server onto ASP.NET Core endpoint routing.</summary>
public static class ScepEndpointRouteBuilderExtensions
{
    /// <summary>The route parameter that names the alias in a pattern.</summary>
    public const string AliasRouteParameter = "alias";

    /// <summary>
    /// Maps GET and POST on <paramref name="pattern"/> to the SCEP pipeline. A <c>{alias}</c> segment in the
    /// pattern selects the alias (for example <c>/scep/{alias}/pkiclient.exe</c>); without one the request goes
    /// to <paramref name="alias"/>, or to <see cref="ScepServerOptions.DefaultAlias"/> when that is null.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route pattern, e.g. <c>/scep/pkiclient.exe</c> or <c>/scep/{alias}/pkiclient.exe</c>.</param>
    /// <param name="alias">The alias for patterns without <c>{alias}</c>.</param>
    /// <returns>The endpoint's convention builder, to add authorization, rate limiting, CORS ...</returns>
    public static IEndpointConventionBuilder MapScep(this IEndpointRouteBuilder endpoints, string pattern, string? alias = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var handler = endpoints.ServiceProvider.GetRequiredService<ScepRequestHandler>();
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ScepServerOptions>>().Value;
        var limit = options.Aliases.Values.Select(a => a.MaxMessageSize).DefaultIfEmpty(128 * 1024).Max();
        return endpoints
            .MapMethods(pattern, ["GET", "POST", "HEAD"], (HttpContext context) => HandleAsync(context, handler, alias, limit))
            .WithDisplayName("SCEP " + pattern)
            .WithMetadata(new ScepEndpointMetadata());
    }

    private static async Task HandleAsync(HttpContext context, ScepRequestHandler handler, string? fixedAlias, int limit)
    {
        var request = context.Request;
        var aliasName = request.RouteValues.TryGetValue(AliasRouteParameter, out var value) ? value as string : fixedAlias;
        var isPost = HttpMethods.IsPost(request.Method);
        if (isPost && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Kestrel's own limit only as a backstop above the largest alias limit: the pipeline enforces the alias's
            // limit exactly while it reads. Kestrel refuses a chunked body of exactly its limit (it counts ahead of what it
            // hands over), hence the margin.
            sizeFeature.MaxRequestBodySize = limit + (64L * 1024);
        }

        // The raw query, not Request.Query: form decoding would turn an unescaped '+' into a space. The body is read by
        // the pipeline, once, with the alias's size limit.
        var response = await handler.HandleAsync(
            new ScepHttpRequest
            {
                Method = request.Method,
                Alias = aliasName,
                QueryString = request.QueryString.Value,
                BodyStream = isPost ? request.Body : null,
                BodyLength = isPost ? request.ContentLength : null,
            },
            context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, response).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, ScepHttpResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}

/// <summary>Marks endpoints that serve SCEP (for filters and diagnostics).</summary>
public sealed class ScepEndpointMetadata
{
}
