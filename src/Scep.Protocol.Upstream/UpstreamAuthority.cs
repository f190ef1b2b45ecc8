using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// The authority for the upstream's CA name, in front of the host's own authority for every other one. An authorized
/// request (the pipeline has checked its code, challenge or webhook) is queued in the certificate store as a
/// <see cref="PendingApproval"/> before anything is sent, so nothing is lost when the upstream is down or this process
/// stops; then it is forwarded. GetCert and renewal checks are answered from the store's record of what the upstream issued.
/// </summary>
internal sealed class UpstreamAuthority(IEnrollmentAuthority inner, ICertificateStore store, UpstreamQueue queue, Lazy<UpstreamForwarder> forwarder, IOptions<UpstreamCaOptions> options) : IEnrollmentAuthority
{
    private bool Pulls => options.Value.Mode == UpstreamMode.Pull;

    private bool IsUpstream(string caName) => string.Equals(caName, options.Value.CaName, StringComparison.Ordinal);

    public async ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsUpstream(context.CaName))
        {
            return await inner.EnrollAsync(context, cancellationToken).ConfigureAwait(false);
        }

        var request = await queue.EnqueueAsync(context, cancellationToken).ConfigureAwait(false);
        return Pulls ? EnrollmentDecision.Pending(request.Id) : await forwarder.Value.DecideAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (!IsUpstream(pending.CaName))
        {
            return await inner.GetPendingDecisionAsync(pending, cancellationToken).ConfigureAwait(false);
        }

        // Forwarding, a device's poll asks the upstream now (unless the background worker is at it, whose answer it then
        // gets); pulled, it gets what the CA has delivered so far.
        var request = await store.FindPendingAsync(pending.Reference, cancellationToken).ConfigureAwait(false);
        return request is { State: ApprovalState.Pending } && !Pulls
            ? await forwarder.Value.DecideAsync(request, cancellationToken).ConfigureAwait(false)
            : await queue.DecisionAsync(pending.Reference, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!IsUpstream(caName))
        {
            return await inner.FindCertificateAsync(caName, certificate, cancellationToken).ConfigureAwait(false);
        }

        var record = await store.FindAsync(certificate.SerialNumberHex, cancellationToken).ConfigureAwait(false);
        if (record is null || record.IssuerId != queue.IssuerId)
        {
            return null;
        }

        var found = X509CertificateLoader.LoadCertificate(record.RawData);
        return certificate.Matches(found) ? found : null;
    }

    public async ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!IsUpstream(caName))
        {
            return await inner.GetCertificateStatusAsync(caName, certificate, cancellationToken).ConfigureAwait(false);
        }

        // What the upstream issued through this RA; a revocation at the upstream is not known here (its CRL is).
        var record = await store.FindAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (record is null || record.IssuerId != queue.IssuerId || !record.RawData.AsSpan().SequenceEqual(certificate.RawData))
        {
            return CertificateStatus.Unknown;
        }

        return record.RevokedAt is null ? CertificateStatus.Good : CertificateStatus.Revoked;
    }

    public async ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!IsUpstream(query.CaName))
        {
            return await inner.FindIssuedAsync(query, cancellationToken).ConfigureAwait(false);
        }

        var record = query.TransactionId is { } transactionId
            ? await store.FindByTransactionAsync(query.Alias, transactionId, cancellationToken).ConfigureAwait(false)
            : query.Username is { } username
                ? await store.FindLatestForUserAsync(username, query.Since, cancellationToken).ConfigureAwait(false)
                : null;
        return record is null || record.IssuerId != queue.IssuerId ? null : X509CertificateLoader.LoadCertificate(record.RawData);
    }
}
