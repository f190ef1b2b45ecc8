using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Upstream;

/// <summary>
/// The requests queued for the upstream CA, kept in the <see cref="ICertificateStore"/> as <see cref="PendingApproval"/>
/// records of the upstream's CA name: queued before anything is sent (so a stop or an outage loses none), decided once
/// (the store's compare-and-set: of two deliveries or a delivery and a refusal, one wins). In
/// <see cref="UpstreamMode.Pull"/> the upstream CA lists it, delivers certificates and refuses requests through here.
/// </summary>
public sealed class UpstreamQueue
{
    private readonly ICertificateStore _store;
    private readonly UpstreamCaOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the queue over the host's certificate store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The upstream's options.</param>
    /// <param name="time">The clock.</param>
    public UpstreamQueue(ICertificateStore store, IOptions<UpstreamCaOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        IssuerId = _options.CaCertificate is { } ca ? ScepCaCredentials.IdOf(ca) : string.Empty;
    }

    /// <summary>The upstream CA's id in the store (<see cref="ScepCaCredentials.IdOf"/>).</summary>
    internal string IssuerId { get; }

    /// <summary>The requests waiting for the upstream, oldest first.</summary>
    /// <param name="max">At most this many.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The requests, with their CSRs.</returns>
    public async ValueTask<IReadOnlyList<PendingApproval>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var pending = await _store.ListPendingAsync(cancellationToken).ConfigureAwait(false);
        return pending.Where(IsQueued).Take(max).ToList();
    }

    /// <summary>
    /// Records a certificate the upstream CA issued for a queued request, after checking that the upstream CA signed it
    /// and that it certifies the request's key. Delivering the same certificate again changes nothing.
    /// </summary>
    /// <param name="id">The request's id (<see cref="PendingApproval.Id"/>).</param>
    /// <param name="certificate">The certificate, DER.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was done.</returns>
    public async ValueTask<UpstreamDelivery> DeliverAsync(string id, ReadOnlyMemory<byte> certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var request = await _store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
        if (request is null || !IsOurs(request))
        {
            return UpstreamDelivery.NotQueued;
        }

        X509Certificate2 issued;
        try
        {
            issued = X509CertificateLoader.LoadCertificate(certificate.Span);
        }
        catch (CryptographicException)
        {
            return UpstreamDelivery.Invalid;
        }

        using (issued)
        {
            if (request.State != ApprovalState.Pending)
            {
                return request.State == ApprovalState.Approved && request.CertificateSerial == issued.SerialNumber
                    && await _store.FindAsync(issued.SerialNumber, cancellationToken).ConfigureAwait(false) is { } recorded
                    && recorded.RawData.AsSpan().SequenceEqual(issued.RawData)
                    ? UpstreamDelivery.AlreadyRecorded
                    : UpstreamDelivery.AlreadyDecided;
            }

            if (!IsIssuedFor(issued, request))
            {
                return UpstreamDelivery.Invalid;
            }

            return await RecordIssuedAsync(request, issued, cancellationToken).ConfigureAwait(false) is { Outcome: EnrollmentOutcome.Issued } decision
                && decision.CertificateRawData.Span.SequenceEqual(issued.RawData)
                ? UpstreamDelivery.Recorded
                : UpstreamDelivery.AlreadyDecided;
        }
    }

    /// <summary>Refuses a queued request; the device's next poll gets FAILURE with the reason.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="reason">The reason the device gets (no secrets).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when no such request waits.</returns>
    public async ValueTask<bool> RefuseAsync(string id, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var request = await _store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
        return request is { State: ApprovalState.Pending } && IsOurs(request)
            && await _store.TryRejectAsync(id, UpstreamRefusal.Format(FailInfo.BadRequest, reason), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues an authorized request; its id is the device's pending reference and the upstream transactionID.</summary>
    internal async ValueTask<PendingApproval> EnqueueAsync(EnrollmentContext context, CancellationToken cancellationToken)
    {
        var csr = context.CertificationRequest;
        var request = new PendingApproval(
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            context.Alias,
            IssuerId,
            context.TransactionId,
            context.EndEntity?.Username,
            csr.Subject.Name,
            csr.Subject.RawData,
            csr.RawData.ToArray(),
            context.ReceivedAt,
            ApprovalState.Pending,
            CaName: context.CaName);
        await _store.AddPendingAsync(request, cancellationToken).ConfigureAwait(false);
        return request;
    }

    /// <summary>Records an issued certificate and the approval in one step; when the request was decided meanwhile, that decision.</summary>
    internal async ValueTask<EnrollmentDecision> RecordIssuedAsync(PendingApproval request, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = new IssuedCertificateRecord(
            certificate.SerialNumber, IssuerId, certificate.Subject, request.Username, request.Alias, request.TransactionId,
            certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), now, certificate.RawData);
        return await _store.TryApproveAsync(request.Id, record, now, cancellationToken).ConfigureAwait(false)
            ? EnrollmentDecision.Issued(certificate.RawData)
            : await DecisionAsync(request.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a refusal; when the request was decided meanwhile, that decision.</summary>
    internal async ValueTask<EnrollmentDecision> RejectAsync(PendingApproval request, FailInfo failInfo, string reason, CancellationToken cancellationToken) =>
        await _store.TryRejectAsync(request.Id, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ? EnrollmentDecision.Rejected(failInfo, reason)
            : await DecisionAsync(request.Id, cancellationToken).ConfigureAwait(false);

    /// <summary>The decision the store holds for a request.</summary>
    internal async ValueTask<EnrollmentDecision> DecisionAsync(string id, CancellationToken cancellationToken)
    {
        var record = await _store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
        switch (record?.State)
        {
            case ApprovalState.Approved when record.CertificateSerial is { } serial
                && await _store.FindAsync(serial, cancellationToken).ConfigureAwait(false) is { } issued:
                return EnrollmentDecision.Issued(issued.RawData);
            case ApprovalState.Rejected:
                return EnrollmentDecision.Rejected(UpstreamRefusal.FailInfoOf(record.Reason), record.Reason ?? "The request was rejected.");
            case ApprovalState.Pending:
                return EnrollmentDecision.Pending(id);
            default:
                return EnrollmentDecision.Rejected(FailInfo.BadRequest, "The pending request is not known.");
        }
    }

    private bool IsOurs(PendingApproval request) => string.Equals(request.CaName, _options.CaName, StringComparison.Ordinal);

    private bool IsQueued(PendingApproval request) => request.State == ApprovalState.Pending && IsOurs(request);

    /// <summary>Signed by the upstream CA's key (RFC 5280 §6.1.3 (a)(1), the signature only: validity is the CA's business) and for the request's key.</summary>
    private bool IsIssuedFor(X509Certificate2 certificate, PendingApproval request)
    {
        var ca = _options.CaCertificate!;
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData))
        {
            return false;
        }

        var csr = Pkcs10Request.Decode(request.Csr);
        if (!csr.SubjectPublicKeyInfo.Span.SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(certificate) && chain.ChainElements.Count == 2 && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawData);
    }
}
