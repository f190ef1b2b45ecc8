using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>Issued certificates, newest page last as the store lists them, searched by subject (CN), serial number or username.</summary>
public sealed class CertificatesModel(Administration admin) : ConsolePage
{
    public const int PageSize = 50;

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; }

    public IReadOnlyList<IssuedCertificateRecord> Certificates { get; private set; } = [];

    public bool HasMore { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        PageNumber = System.Math.Clamp(PageNumber, 0, 100_000);
        var found = await admin.SearchCertificatesAsync(Search?.Length > 256 ? Search[..256] : Search, PageNumber * PageSize, PageSize + 1, cancellationToken).ConfigureAwait(false);
        HasMore = found.Count > PageSize;
        Certificates = HasMore ? [.. System.Linq.Enumerable.Take(found, PageSize)] : found;
    }
}
