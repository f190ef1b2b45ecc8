using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Scep.SampleHost.Admin;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// The admin API's routes under <c>/admin/api/v1</c>: every one needs an authenticated caller and a role
/// (<see cref="AdminPolicies"/>), and does its work through <see cref="Administration"/>, the service the admin commands
/// use, so both are audited alike.
/// </summary>
internal static class AdminApiEndpoints
{
    /// <summary>The largest request body accepted (the bodies are a few small fields).</summary>
    public const long MaxBodyBytes = 16 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(AdminApiOptions.PathBase + "/v1")
            .AddEndpointFilter<AdminApiErrors>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        var entities = api.MapGroup("/entities").WithTags("End entities");
        entities.MapGet("/", ListEntities).RequireAuthorization(AdminPolicies.View);
        entities.MapPost("/", CreateEntity).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(400).ProducesProblem(409);
        entities.MapGet("/{username}", GetEntity).RequireAuthorization(AdminPolicies.View);
        entities.MapDelete("/{username}", DeleteEntity).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(404);
        entities.MapPost("/{username}/reset", ResetEntity).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(400).ProducesProblem(404);

        var pending = api.MapGroup("/pending").WithTags("Pending requests");
        pending.MapGet("/", ListPending).RequireAuthorization(AdminPolicies.View);
        pending.MapPost("/{id}/approve", Approve).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(404).ProducesProblem(409);
        pending.MapPost("/{id}/reject", Reject).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(404).ProducesProblem(409);

        var certificates = api.MapGroup("/certificates").WithTags("Certificates");
        certificates.MapGet("/", ListCertificates).RequireAuthorization(AdminPolicies.View).ProducesProblem(400);
        certificates.MapGet("/{serial}", GetCertificate).RequireAuthorization(AdminPolicies.View);
        certificates.MapPost("/{serial}/revoke", Revoke).RequireAuthorization(AdminPolicies.Operate).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        var ca = api.MapGroup("/ca").WithTags("CA");
        ca.MapGet("/", CaStatus).RequireAuthorization(AdminPolicies.View);
        ca.MapPost("/crl", IssueCrl).RequireAuthorization(AdminPolicies.Operate);
        ca.MapPost("/rollover", Rollover).RequireAuthorization(AdminPolicies.Administer).ProducesProblem(409);

        UpstreamEndpoints.Map(api);

        api.MapGet("/audit", ListAudit).WithTags("Audit").RequireAuthorization(AdminPolicies.View).ProducesProblem(400);
    }

    private static async Task<Ok<EntityView[]>> ListEntities(Administration admin, CancellationToken cancellationToken) =>
        TypedResults.Ok((await admin.ListEntitiesAsync(cancellationToken).ConfigureAwait(false)).Select(EntityView.Of).ToArray());

    private static async Task<Created<EntityWithCode>> CreateEntity(CreateEntityRequest request, Administration admin, CancellationToken cancellationToken)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Username))
        {
            throw new AdministrationException("A username is required.", AdministrationFailure.Invalid);
        }

        var (entity, code) = await admin.CreateEntityAsync(request.Username, request.SubjectDn, request.Alias, CodeValidity.Parse(request.CodeValidFor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"{AdminApiOptions.PathBase}/v1/entities/{Uri.EscapeDataString(entity.Username)}", new EntityWithCode(EntityView.Of(entity), code));
    }

    private static async Task<Results<Ok<EntityView>, ProblemHttpResult>> GetEntity(string username, Administration admin, CancellationToken cancellationToken) =>
        await admin.FindEntityAsync(username, cancellationToken).ConfigureAwait(false) is { } entity
            ? TypedResults.Ok(EntityView.Of(entity))
            : NotFound($"No end entity '{username}'.");

    private static async Task<NoContent> DeleteEntity(string username, Administration admin, CancellationToken cancellationToken)
    {
        await admin.DeleteEntityAsync(username, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<EntityWithCode>> ResetEntity(string username, ResetEntityRequest? request, Administration admin, CancellationToken cancellationToken)
    {
        var code = request?.NewCode == true ? EnrollmentCodes.Generate() : null;
        var entity = await admin.ResetEntityAsync(username, code, CodeValidity.Parse(request?.CodeValidFor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EntityWithCode(EntityView.Of(entity), code));
    }

    private static async Task<Ok<PendingView[]>> ListPending(Administration admin, CancellationToken cancellationToken) =>
        TypedResults.Ok((await admin.ListPendingAsync(cancellationToken).ConfigureAwait(false)).Select(PendingView.Of).ToArray());

    private static async Task<Ok<CertificateView>> Approve(string id, Administration admin, CancellationToken cancellationToken)
    {
        var issued = await admin.ApproveAsync(id, cancellationToken).ConfigureAwait(false);
        var record = await admin.FindCertificateAsync(issued.SerialNumber, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(CertificateView.Of(record!, withPem: true));
    }

    private static async Task<NoContent> Reject(string id, RejectRequest? request, Administration admin, CancellationToken cancellationToken)
    {
        await admin.RejectAsync(id, request?.Reason, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CertificateView[]>> ListCertificates(Administration admin, CancellationToken cancellationToken, string? search = null, int skip = 0, int take = 100)
    {
        if (skip < 0 || take is < 1 or > 1000)
        {
            throw new AdministrationException("skip is 0 or more; take is 1 to 1000.", AdministrationFailure.Invalid);
        }

        return TypedResults.Ok((await admin.SearchCertificatesAsync(search, skip, take, cancellationToken).ConfigureAwait(false)).Select(c => CertificateView.Of(c)).ToArray());
    }

    private static async Task<Results<Ok<CertificateView>, ProblemHttpResult>> GetCertificate(string serial, Administration admin, CancellationToken cancellationToken) =>
        await admin.FindCertificateAsync(serial, cancellationToken).ConfigureAwait(false) is { } record
            ? TypedResults.Ok(CertificateView.Of(record, withPem: true))
            : NotFound($"No certificate with serial number {serial} was issued here.");

    private static async Task<Ok<CertificateView>> Revoke(string serial, RevokeRequest? request, Administration admin, CancellationToken cancellationToken)
    {
        var reason = RevocationReasons.Parse(request?.Reason);
        return TypedResults.Ok(CertificateView.Of(await admin.RevokeAsync(serial, reason, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<CaView[]>> CaStatus(Administration admin, CancellationToken cancellationToken) =>
        TypedResults.Ok((await admin.CaStatusAsync(cancellationToken).ConfigureAwait(false)).Select(s => CaView.Of(s.Ca, s.IsNext, s.Crl)).ToArray());

    private static async Task<Ok<CrlView[]>> IssueCrl(Administration admin, CancellationToken cancellationToken) =>
        TypedResults.Ok((await admin.IssueCrlAsync(cancellationToken).ConfigureAwait(false)).Select(c => CrlView.Of(c.Crl)).ToArray());

    private static async Task<Ok<CaView>> Rollover(Administration admin)
    {
        var next = await admin.RolloverCaAsync().ConfigureAwait(false);
        return TypedResults.Ok(CaView.Of(next, isNext: true, crl: null));
    }

    private static async Task<Ok<AuditView[]>> ListAudit(Administration admin, CancellationToken cancellationToken, int take = 100, string? before = null)
    {
        if (take is < 1 or > 1000)
        {
            throw new AdministrationException("take is 1 to 1000.", AdministrationFailure.Invalid);
        }

        return TypedResults.Ok((await admin.ListAuditAsync(take, before, cancellationToken).ConfigureAwait(false)).Select(AuditView.Of).ToArray());
    }

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
