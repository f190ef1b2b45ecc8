using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Upstream;

namespace Scep.SampleHost;

/// <summary>
/// The RA's side of the pull model (docs/upstream.md): the CA that pulls lists the queue, delivers certificates and
/// refuses requests through the admin API, each change audited like every other operator action.
/// </summary>
public sealed class UpstreamAdministration(Administration admin, UpstreamQueue? queue = null)
{
    /// <summary>The most requests one listing returns.</summary>
    public const int MaxListed = 100;

    public ValueTask<IReadOnlyList<PendingApproval>> ListQueuedAsync(int max, CancellationToken cancellationToken) =>
        Queue.ListAsync(Math.Clamp(max, 1, MaxListed), cancellationToken);

    /// <summary>Records a certificate the CA issued for a queued request (the same one again: nothing changes).</summary>
    public ValueTask<UpstreamDelivery> DeliverAsync(string id, ReadOnlyMemory<byte> certificate, CancellationToken cancellationToken) =>
        admin.AuditedAsync("upstream.deliver", id, async () =>
        {
            FaultInjection.KillIfAt("ra-deliver-before-record");
            var result = await Queue.DeliverAsync(id, certificate, cancellationToken).ConfigureAwait(false);
            FaultInjection.KillIfAt("ra-deliver-after-record");
            return result switch
            {
                UpstreamDelivery.Recorded or UpstreamDelivery.AlreadyRecorded => (result, result == UpstreamDelivery.Recorded ? "recorded" : "recorded before"),
                UpstreamDelivery.NotQueued => throw new AdministrationException($"No request {id} is queued for the upstream CA.", AdministrationFailure.NotFound),
                UpstreamDelivery.AlreadyDecided => throw new AdministrationException($"Request {id} was decided already.", AdministrationFailure.Conflict),
                _ => throw new AdministrationException("The certificate is not one the upstream CA issued for this request's key.", AdministrationFailure.Invalid),
            };
        });

    /// <summary>Refuses a queued request; the device's next poll gets FAILURE with the reason.</summary>
    public ValueTask RefuseAsync(string id, string? reason, CancellationToken cancellationToken) =>
        admin.AuditedAsync("upstream.refuse", id, async () =>
        {
            var text = string.IsNullOrWhiteSpace(reason) ? "Refused by the CA." : reason.Trim();
            if (!await Queue.RefuseAsync(id, text, cancellationToken).ConfigureAwait(false))
            {
                throw new AdministrationException($"No request {id} waits for the upstream CA.", AdministrationFailure.NotFound);
            }

            return (true, (string?)text);
        }).AsNonGeneric();

    private UpstreamQueue Queue => queue ?? throw new AdministrationException("This host has no upstream CA (Upstream:Mode=Pull).", AdministrationFailure.NotFound);
}
