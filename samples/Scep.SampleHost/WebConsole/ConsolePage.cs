using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// What every console page shares: the signed-in user and role, the role check of an action (a viewer's forged POST is
/// a 403, whatever the page shows), and how an action ends: a redirect with a notice, or the page again with the
/// refusal's reason and its 4xx status.
/// </summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>What the last action did (after its redirect); never a secret.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why the action was refused.</summary>
    public string? Error { get; protected set; }

    /// <summary>The signed-in user's name (without the audit log's <c>console:</c>).</summary>
    public string UserName => User.FindFirst(ConsolePolicies.UserClaim)?.Value ?? string.Empty;

    /// <summary>The signed-in user's role.</summary>
    public string RoleName => User.FindFirst(ConsolePolicies.RoleClaim)?.Value ?? string.Empty;

    /// <summary>Whether the user may change things (actions are shown only then, and checked again when posted).</summary>
    public bool CanOperate => ConsolePolicies.Allows(User, AdminRole.Operator);

    /// <summary>Whether the user may roll the CA over.</summary>
    public bool CanAdminister => ConsolePolicies.Allows(User, AdminRole.Admin);

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value) => value is { } v ? Time(v) : "—";

    /// <summary>Loads what the page shows (also after a refused action, to show it again).</summary>
    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs an action that needs <paramref name="least"/>: 403 below it; an <see cref="AdministrationException"/> or a
    /// bad value is the page again with the reason and its status (400, 404, 409).
    /// </summary>
    protected async Task<IActionResult> ActAsync(AdminRole least, Func<Task<IActionResult>> action)
    {
        if (!ConsolePolicies.Allows(User, least))
        {
            ConsoleLog.Refused(HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(ConsoleLog.Category), UserName, RoleName, Request.Path);
            return new ContentResult
            {
                StatusCode = StatusCodes.Status403Forbidden,
                ContentType = "text/plain; charset=utf-8",
                Content = $"Your role ({RoleName}) does not allow this action; it needs {least}.",
            };
        }

        int status;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (AdministrationException e)
        {
            Error = e.Message;
            status = e.Failure switch
            {
                AdministrationFailure.NotFound => StatusCodes.Status404NotFound,
                AdministrationFailure.Invalid => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status409Conflict,
            };
        }
        catch (FormatException e)
        {
            Error = e.Message;
            status = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>After an action: back to the page (GET), with a notice.</summary>
    protected IActionResult Done(string notice, string? page = null, object? routeValues = null)
    {
        Notice = notice;
        return page is null ? RedirectToPage(routeValues) : RedirectToPage(page, routeValues);
    }
}
