using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Scep.Protocol.Intune;
using Scep.Protocol.Server;

namespace Scep.SampleHost.WebConsole.Pages;

/// <summary>
/// The aliases, read-only: each one's mode, CA, challenge kind (never the challenge), approval, transports, algorithms,
/// and its capabilities as GetCACaps answers them (asked of the server's own handler, so the page cannot differ from
/// what clients get; each view counts as one GetCACaps request in the metrics).
/// </summary>
public sealed class AliasesModel(
    ScepRequestHandler handler, IOptions<ScepServerOptions> scep, IOptions<IssuingAuthorityOptions> issuing, IOptions<IntuneOptions> intune, IConfiguration configuration) : ConsolePage
{
    public string DefaultAlias => scep.Value.DefaultAlias;

    public IReadOnlyList<AliasView> Aliases { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        var views = new List<AliasView>();
        foreach (var (name, options) in scep.Value.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var caps = await handler.HandleAsync(new ScepHttpRequest { Method = "GET", Alias = name, QueryString = "operation=GetCACaps" }, cancellationToken).ConfigureAwait(false);
            var capabilities = caps.StatusCode == 200
                ? Encoding.ASCII.GetString(caps.Body.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [$"(GetCACaps answered {caps.StatusCode})"];
            views.Add(new AliasView(name, options, ChallengeOf(name, options), issuing.Value.RequiresApproval(name), capabilities));
        }

        Aliases = views;
    }

    private string ChallengeOf(string name, ScepAliasOptions options)
    {
        if (options.Mode == ScepOperationMode.Ca)
        {
            return "End entity's one-time enrollment code";
        }

        if (intune.Value.Aliases.Contains(name))
        {
            return "Intune challenge (validated with Microsoft Intune)";
        }

        if (string.Equals(configuration["Ndes:Alias"], name, StringComparison.OrdinalIgnoreCase))
        {
            return "NDES one-time password (mscep_admin)";
        }

        return options.RaChallenge is { Length: > 0 } ? "Shared challenge password (configured; not shown)" : "None";
    }

    /// <summary>One alias as the page shows it.</summary>
    public sealed record AliasView(string Name, ScepAliasOptions Options, string Challenge, bool RequiresApproval, IReadOnlyList<string> Capabilities);
}
