using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>Signs out by POST only (a link or an image cannot sign a user out); a GET goes back to the dashboard.</summary>
public sealed class SignOutModel : ConsolePage
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsolePolicies.Scheme).ConfigureAwait(false);
        return RedirectToPage("/SignIn");
    }

    protected override Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
