using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>The sign-in form: a name and password checked against <c>Console:Users</c> (<see cref="ConsoleUsers"/>).</summary>
public sealed class SignInModel(ConsoleUsers users, ILoggerFactory loggers) : ConsolePage
{
    /// <summary>The longest password looked at: PBKDF2 over a huge one would be work for nothing.</summary>
    private const int MaxPasswordLength = 1024;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Name { get; private set; }

    public bool Failed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? name, string? password)
    {
        Name = name;
        var user = string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password) || name.Length > 64 || password.Length > MaxPasswordLength
            ? null
            : users.SignIn(name, password);
        var remote = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var logger = loggers.CreateLogger(ConsoleLog.Category);
        if (user is null)
        {
            ConsoleLog.SignInFailed(logger, ConsoleLog.Printable(name), remote);
            Failed = true;
            return Page();
        }

        await HttpContext.SignInAsync(ConsolePolicies.Scheme, ConsolePolicies.Principal(user), new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
        ConsoleLog.SignedIn(logger, user.Name, remote);
        return LocalRedirect(IsConsoleUrl(ReturnUrl) ? ReturnUrl! : ConsoleOptions.PathBase);
    }

    protected override Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Only a path of the console itself (not <c>//host</c>, not another part of the host).</summary>
    private bool IsConsoleUrl(string? url) =>
        url is not null && Url.IsLocalUrl(url) && (url == ConsoleOptions.PathBase || url.StartsWith(ConsoleOptions.PathBase + "/", StringComparison.Ordinal) || url.StartsWith(ConsoleOptions.PathBase + "?", StringComparison.Ordinal));
}
