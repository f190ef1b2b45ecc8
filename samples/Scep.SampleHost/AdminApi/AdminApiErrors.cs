using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// Turns what an action refuses into problem details (RFC 9457): an <see cref="AdministrationException"/> is 400, 404
/// or 409 by its <see cref="AdministrationFailure"/>, a malformed value (a duration, a reason) 400. Anything else is
/// left to the host (500 without details).
/// </summary>
internal sealed class AdminApiErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (AdministrationException e)
        {
            return e.Failure switch
            {
                AdministrationFailure.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
                AdministrationFailure.Invalid => Problem(StatusCodes.Status400BadRequest, "Invalid request", e.Message),
                _ => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
            };
        }
        catch (FormatException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", e.Message);
        }
    }

    public static IResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
