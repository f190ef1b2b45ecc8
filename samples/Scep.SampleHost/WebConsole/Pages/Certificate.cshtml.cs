using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Scep.Protocol.Server;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>One certificate: its fields, its PEM to download, and revocation with a reason.</summary>
public sealed class CertificateModel(Administration admin) : ConsolePage
{
    /// <summary>The reasons offered, RFC 5280 §5.3.1 (removeFromCRL is for delta CRLs, not a revocation).</summary>
    public static readonly IReadOnlyList<(string Value, string Text)> Reasons =
    [
        ("", "No reason (unspecified)"),
        (nameof(X509RevocationReason.KeyCompromise), "Key compromise"),
        (nameof(X509RevocationReason.CACompromise), "CA compromise"),
        (nameof(X509RevocationReason.AffiliationChanged), "Affiliation changed"),
        (nameof(X509RevocationReason.Superseded), "Superseded"),
        (nameof(X509RevocationReason.CessationOfOperation), "Cessation of operation"),
        (nameof(X509RevocationReason.CertificateHold), "Certificate hold"),
        (nameof(X509RevocationReason.PrivilegeWithdrawn), "Privilege withdrawn"),
    ];

    [BindProperty(SupportsGet = true)]
    public string Serial { get; set; } = string.Empty;

    public IssuedCertificateRecord? Record { get; private set; }

    public X509Certificate2? Certificate { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (Record is null)
        {
            Response.StatusCode = 404;
        }

        return Page();
    }

    public async Task<IActionResult> OnGetPemAsync(CancellationToken cancellationToken)
    {
        var record = await admin.FindCertificateAsync(Serial, cancellationToken).ConfigureAwait(false);
        return record is null
            ? NotFound($"No certificate with serial number {Serial} was issued here.")
            : File(Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", record.RawData) + "\n"), "application/x-pem-file", $"{record.SerialNumber}.pem");
    }

    public Task<IActionResult> OnPostRevokeAsync(string? reason, CancellationToken cancellationToken) => ActAsync(AdminRole.Operator, async () =>
    {
        var parsed = RevocationReasons.Parse(reason);
        var revoked = await admin.RevokeAsync(Serial, parsed, cancellationToken).ConfigureAwait(false);
        return Done($"Revoked {revoked.SerialNumber} ({parsed?.ToString() ?? "no reason"}); the next CRL lists it.", null, new { serial = revoked.SerialNumber });
    });

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Record = Serial.Length is > 0 and <= 128 ? await admin.FindCertificateAsync(Serial, cancellationToken).ConfigureAwait(false) : null;
        Certificate = Record is null ? null : X509CertificateLoader.LoadCertificate(Record.RawData);
    }
}
