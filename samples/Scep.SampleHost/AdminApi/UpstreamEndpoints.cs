using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Scep.Protocol.Server;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// <c>/admin/api/v1/upstream/requests</c>: the pull model's channel (docs/upstream.md). The CA, authenticated like any
/// admin caller (a pinned TLS client certificate, role Operator), lists what the RA queued, delivers certificates and
/// refuses requests; it never needs a connection from the RA.
/// </summary>
internal static class UpstreamEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/upstream/requests").WithTags("Upstream CA (pull model)");
        requests.MapGet("/", List).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(404);
        requests.MapPost("/{id}/certificate", Deliver).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        requests.MapPost("/{id}/refusal", Refuse).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(404);
    }

    private static async Task<Ok<QueuedRequestView[]>> List(UpstreamAdministration upstream, CancellationToken cancellationToken, int take = UpstreamAdministration.MaxListed)
    {
        var queued = await upstream.ListQueuedAsync(take, cancellationToken).ConfigureAwait(false);
        FaultInjection.KillIfAt("ra-list");
        return TypedResults.Ok(queued.Select(QueuedRequestView.Of).ToArray());
    }

    private static async Task<Ok<DeliveryView>> Deliver(string id, DeliverCertificateRequest request, UpstreamAdministration upstream, CancellationToken cancellationToken)
    {
        var der = PemBlock.Decode(request?.CertificatePem, "CERTIFICATE")
            ?? throw new AdministrationException("certificatePem must hold one PEM CERTIFICATE.", AdministrationFailure.Invalid);

        var result = await upstream.DeliverAsync(id, der, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DeliveryView(id, result.ToString()));
    }

    private static async Task<NoContent> Refuse(string id, RejectRequest? request, UpstreamAdministration upstream, CancellationToken cancellationToken)
    {
        await upstream.RefuseAsync(id, request?.Reason, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}

/// <summary>A request the RA queued for the CA: what the RA authorized, and the device's CSR.</summary>
public sealed record QueuedRequestView(string Id, string Alias, string? Username, string Subject, string TransactionId, DateTimeOffset RequestedAt, string CsrPem)
{
    public static QueuedRequestView Of(PendingApproval p) =>
        new(p.Id, p.Alias, p.Username, p.Subject, p.TransactionId, p.RequestedAt, PemEncoding.WriteString("CERTIFICATE REQUEST", p.Csr));
}

/// <summary>A certificate the CA issued for a queued request.</summary>
public sealed record DeliverCertificateRequest(string? CertificatePem);

/// <summary>What the RA did with a delivered certificate: <c>Recorded</c>, or <c>AlreadyRecorded</c> for the same one again.</summary>
public sealed record DeliveryView(string Id, string Result);
