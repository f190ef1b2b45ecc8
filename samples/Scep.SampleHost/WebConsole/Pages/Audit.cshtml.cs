using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Scep.Protocol.Server.Storage;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>The audit log, newest first, a page at a time (the next page starts before the last entry shown).</summary>
public sealed class AuditModel(Administration admin) : ConsolePage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Before { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public string? NextBefore { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        var before = Before is { Length: > 0 and <= 64 } ? Before : null;
        var entries = await admin.ListAuditAsync(PageSize + 1, before, cancellationToken).ConfigureAwait(false);
        Entries = [.. entries.Take(PageSize)];
        NextBefore = entries.Count > PageSize ? Entries[^1].Id : null;
    }
}
