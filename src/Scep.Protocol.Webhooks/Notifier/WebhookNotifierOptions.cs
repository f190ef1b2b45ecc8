using System.Collections.Generic;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// The notification webhook (<see cref="WebhookNotifier"/>): configuration section <c>Webhooks:Notify</c> in the
/// sample host. See docs/webhooks.md.
/// </summary>
public sealed class WebhookNotifierOptions : WebhookEndpointOptions
{
    /// <summary>The events posted. Default: Issued, Refused and Revoked (add Pending, Polled if wanted).</summary>
    public ISet<EnrollmentEventKind> Events { get; } = new HashSet<EnrollmentEventKind> { EnrollmentEventKind.Issued, EnrollmentEventKind.Refused, EnrollmentEventKind.Revoked };

    /// <summary>The aliases whose events are posted; empty (the default) for every alias.</summary>
    public ISet<string> Aliases { get; } = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a delivery that met a connection error or a 5xx is tried once more, at once, with the same delivery id. Default: true.</summary>
    public bool RetryOnce { get; set; } = true;
}
