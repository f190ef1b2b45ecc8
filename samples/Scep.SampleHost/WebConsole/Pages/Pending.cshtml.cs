using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Scep.Protocol.Server;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>Requests held for approval (<c>SampleHost:ApprovalAliases</c>): approve (the client gets the certificate at its next poll) or reject.</summary>
public sealed class PendingModel(Administration admin) : ConsolePage
{
    public IReadOnlyList<PendingApproval> Requests { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostApproveAsync(string? id, CancellationToken cancellationToken) => ActAsync(AdminRole.Operator, async () =>
    {
        var issued = await admin.ApproveAsync(id ?? string.Empty, cancellationToken).ConfigureAwait(false);
        return Done($"Approved {id}: certificate {issued.SerialNumber} is delivered at the client's next poll.");
    });

    public Task<IActionResult> OnPostRejectAsync(string? id, string? reason, CancellationToken cancellationToken) => ActAsync(AdminRole.Operator, async () =>
    {
        await admin.RejectAsync(id ?? string.Empty, reason, cancellationToken).ConfigureAwait(false);
        return Done($"Rejected {id}.");
    });

    protected override async Task LoadAsync(CancellationToken cancellationToken) =>
        Requests = [.. (await admin.ListPendingAsync(cancellationToken).ConfigureAwait(false)).Where(p => p.State == ApprovalState.Pending).OrderBy(p => p.RequestedAt)];
}
