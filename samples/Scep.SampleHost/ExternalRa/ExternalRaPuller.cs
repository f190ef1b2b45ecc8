using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol;
using Scep.Protocol.Server;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost;

/// <summary>
/// The CA's side of the pull model: every <see cref="ExternalRaOptions.PollInterval"/> it lists the RA's queue, issues
/// each request with <see cref="ExternalRaOptions.Alias"/>'s profile, and delivers the certificate. Each RA request is
/// first recorded here as a pending request <c>RA-{id}</c> and approved (one audited step that records the certificate),
/// so that a request pulled again after a crash or a lost delivery gets the certificate already issued, never a
/// second one. The RA's authorization is the only way in: the CA issues for nothing it did not pull from the pinned RA.
/// </summary>
internal sealed class ExternalRaPuller(
    ExternalRaClient ra, ICertificateStore store, Administration admin, CaKeyRing cas, IOptions<ExternalRaOptions> options,
    IOptions<ScepServerOptions> scep, TimeProvider time, ILogger<ExternalRaPuller> logger) : BackgroundService
{
    private const string IdPrefix = "RA-";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or AdministrationException)
            {
                ExternalRaLog.RoundFailed(logger, e.Message);
            }

            try
            {
                await Task.Delay(options.Value.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        foreach (var request in await ra.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            await HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(QueuedRequestView request, CancellationToken cancellationToken)
    {
        var id = IdPrefix + request.Id;
        var mine = await store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
        if (mine is null)
        {
            Pkcs10Request csr;
            try
            {
                csr = Pkcs10Request.Decode(PemBlock.Decode(request.CsrPem, "CERTIFICATE REQUEST") ?? throw new FormatException("not a PEM CERTIFICATE REQUEST"));
                csr.VerifyProofOfPossession();
            }
            catch (Exception e) when (e is ScepException or CryptographicException or FormatException or ArgumentException)
            {
                ExternalRaLog.Unreadable(logger, request.Id, e.Message);
                await ra.RefuseAsync(request.Id, "The CA cannot read the request, or its signature does not verify.", cancellationToken).ConfigureAwait(false);
                return;
            }

            var alias = options.Value.Alias;
            mine = new PendingApproval(
                id, alias, cas.Current.Id, request.TransactionId, request.Username, csr.Subject.Name, csr.Subject.RawData, csr.RawData.ToArray(),
                time.GetUtcNow(), ApprovalState.Pending, CaName: scep.Value.Aliases[alias].CaName);
            await store.AddPendingAsync(mine, cancellationToken).ConfigureAwait(false);
        }

        byte[] certificate;
        switch (mine.State)
        {
            case ApprovalState.Pending:
                using (AdminActor.AsService("external-ra"))
                {
                    certificate = (await admin.ApproveAsync(id, cancellationToken).ConfigureAwait(false)).RawData;
                }

                FaultInjection.KillIfAt("ca-after-issue");
                break;
            case ApprovalState.Approved when mine.CertificateSerial is { } serial && await store.FindAsync(serial, cancellationToken).ConfigureAwait(false) is { } issued:
                certificate = issued.RawData;
                break;
            default:
                await ra.RefuseAsync(request.Id, mine.Reason ?? "Refused by the CA.", cancellationToken).ConfigureAwait(false);
                return;
        }

        var status = await ra.DeliverAsync(request.Id, certificate, cancellationToken).ConfigureAwait(false);
        ExternalRaLog.Delivered(logger, request.Id, status);
    }
}

internal static partial class ExternalRaLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "External RA: a round failed ({Problem}); the next one tries again")]
    public static partial void RoundFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "External RA: delivered the certificate of request {RequestId} (RA answered {Status})")]
    public static partial void Delivered(ILogger logger, string requestId, int status);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "External RA: request {RequestId} refused, its CSR is unreadable ({Problem})")]
    public static partial void Unreadable(ILogger logger, string requestId, string problem);
}
