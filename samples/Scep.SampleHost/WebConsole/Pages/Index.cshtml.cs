using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Scep.Protocol.Server;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>
/// The dashboard: enrollments per hour (the certificates on record), failures by reason (the pipeline's meter, since
/// the host started: refusals are not kept in the database), pending requests, the CA's expiry and rollover, the CRLs.
/// </summary>
public sealed partial class IndexModel(Administration admin, PrometheusMetrics metrics, TimeProvider time) : ConsolePage
{
    public EnrollmentChart Chart { get; private set; } = null!;

    public IReadOnlyList<(string Reason, long Count)> Failures { get; private set; } = [];

    public int PendingCount { get; private set; }

    public int CertificateCount { get; private set; }

    public int RevokedCount { get; private set; }

    public int EntityCount { get; private set; }

    public int LockedCount { get; private set; }

    public IReadOnlyList<(CaKey Ca, bool IsNext, StoredCrl? Crl)> Cas { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>The current CRL of a CA (by its SHA-256 id), DER.</summary>
    public async Task<IActionResult> OnGetCrlAsync(string? ca, CancellationToken cancellationToken)
    {
        var status = await admin.CaStatusAsync(cancellationToken).ConfigureAwait(false);
        var crl = status.FirstOrDefault(s => string.Equals(s.Ca.Id, ca, StringComparison.OrdinalIgnoreCase)).Crl;
        return crl is null
            ? NotFound("No CRL of that CA was issued yet.")
            : File(crl.RawData, "application/pkix-crl", $"ca-{crl.Number}.crl");
    }

    public Task<IActionResult> OnPostIssueCrlAsync(CancellationToken cancellationToken) => ActAsync(AdminRole.Operator, async () =>
    {
        var issued = await admin.IssueCrlAsync(cancellationToken).ConfigureAwait(false);
        return Done($"Issued CRL {string.Join(", ", issued.Select(c => $"number {c.Crl.Number}"))}.");
    });

    public Task<IActionResult> OnPostRolloverAsync() => ActAsync(AdminRole.Admin, async () =>
    {
        var next = await admin.RolloverCaAsync().ConfigureAwait(false);
        return Done($"Created the next CA {next.Certificate.Subject} (SHA-256 {next.Id}); GetNextCACert serves it now.");
    });

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var certificates = await admin.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
        Chart = EnrollmentChart.Of(certificates.Select(c => c.IssuedAt), Now);
        CertificateCount = certificates.Count;
        RevokedCount = certificates.Count(c => c.RevokedAt is not null);
        PendingCount = (await admin.ListPendingAsync(cancellationToken).ConfigureAwait(false)).Count(p => p.State == ApprovalState.Pending);
        var entities = await admin.ListEntitiesAsync(cancellationToken).ConfigureAwait(false);
        EntityCount = entities.Count;
        LockedCount = entities.Count(e => e.Status == EndEntityStatus.Failed);
        Cas = await admin.CaStatusAsync(cancellationToken).ConfigureAwait(false);
        Failures = [.. metrics.Totals("scep.server.failures")
            .Select(t => (Reason: FailInfoLabel().Match(t.Labels) is { Success: true } m ? m.Groups[1].Value : "unknown", Count: (long)t.Value))
            .GroupBy(t => t.Reason)
            .Select(g => (g.Key, g.Sum(t => t.Count)))
            .OrderByDescending(t => t.Item2)];
    }

    [GeneratedRegex("scep_fail_info=\"([^\"]*)\"")]
    private static partial Regex FailInfoLabel();
}
