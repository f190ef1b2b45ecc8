using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;
using Scep.SampleHost.Admin;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>
/// End entities: search, add (with a generated one-time code, shown in the answer to the add and never again), reset
/// (lift a lockout, optionally with a new code, shown the same way) and delete.
/// </summary>
public sealed class EntitiesModel(Administration admin, IOptions<ScepServerOptions> scep) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    public IReadOnlyList<EndEntity> Entities { get; private set; } = [];

    public IReadOnlyList<string> Aliases { get; private set; } = [];

    /// <summary>The entity and one-time code to show once: set only in the answer to an add or a reset with a new code.</summary>
    public (string Username, string Code, DateTimeOffset? ExpiresAt)? Issued { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostAddAsync(string? username, string? subjectDn, string? alias, string? codeValidFor, CancellationToken cancellationToken) =>
        ActAsync(AdminRole.Operator, async () =>
        {
            if (string.IsNullOrWhiteSpace(username))
            {
                throw new AdministrationException("A username is required.", AdministrationFailure.Invalid);
            }

            var (entity, code) = await admin.CreateEntityAsync(username.Trim(), Blank(subjectDn), Blank(alias), ValidFor(codeValidFor), cancellationToken).ConfigureAwait(false);
            return await ShowCodeAsync(entity, code, cancellationToken).ConfigureAwait(false);
        });

    public Task<IActionResult> OnPostResetAsync(string? username, bool newCode, CancellationToken cancellationToken) =>
        ActAsync(AdminRole.Operator, async () =>
        {
            var code = newCode ? EnrollmentCodes.Generate() : null;
            var entity = await admin.ResetEntityAsync(username ?? string.Empty, code, null, cancellationToken).ConfigureAwait(false);
            return code is null
                ? Done($"Reset {entity.Username}: status NEW, lockout lifted, same code.")
                : await ShowCodeAsync(entity, code, cancellationToken).ConfigureAwait(false);
        });

    public Task<IActionResult> OnPostDeleteAsync(string? username, CancellationToken cancellationToken) =>
        ActAsync(AdminRole.Operator, async () =>
        {
            await admin.DeleteEntityAsync(username ?? string.Empty, cancellationToken).ConfigureAwait(false);
            return Done($"Deleted {username}; its certificates stay issued (revoke them on the Certificates page).");
        });

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        var all = await admin.ListEntitiesAsync(cancellationToken).ConfigureAwait(false);
        var search = Search?.Trim();
        Entities = [.. all.Where(e => string.IsNullOrEmpty(search)
                || e.Username.Contains(search, StringComparison.OrdinalIgnoreCase)
                || (e.SubjectDn?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderBy(e => e.Username, StringComparer.Ordinal)];
        Aliases = [.. scep.Value.Aliases.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The answer that shows the code: this response only (no redirect, no TempData, Cache-Control: no-store).</summary>
    private async Task<IActionResult> ShowCodeAsync(EndEntity entity, string code, CancellationToken cancellationToken)
    {
        Issued = (entity.Username, code, entity.EnrollmentCodeExpiresAt);
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        return Page();
    }

    /// <summary>The admin commands' durations (90m, 24h, 7d, hh:mm:ss), with a message that names the form's field.</summary>
    private static TimeSpan? ValidFor(string? text)
    {
        try
        {
            return CodeValidity.Parse(text);
        }
        catch (FormatException)
        {
            throw new AdministrationException($"Code valid for: '{text}' is not a duration such as 90m, 24h, 7d or 01:30:00.", AdministrationFailure.Invalid);
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
