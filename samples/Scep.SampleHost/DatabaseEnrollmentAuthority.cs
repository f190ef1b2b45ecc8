using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol;
using Scep.Protocol.Server;
using Scep.SampleHost.Storage;
using IssuedCertificateRecord = Scep.SampleHost.Storage.IssuedCertificateRecord;

namespace Scep.SampleHost;

/// <summary>
/// The sample host's certificate authority: issues with the CA key of the data folder and records every
/// certificate in the database before returning it (so before the reply leaves); holds requests of approval
/// aliases for <c>approve</c>/<c>reject</c>; answers GetCert, renewal checks and GetCRL from the database.
/// </summary>
public sealed class DatabaseEnrollmentAuthority : IEnrollmentAuthority, ICrlSource
{
    private readonly CertificateRepository _certificates;
    private readonly CaKeyRing _cas;
    private readonly CrlService _crls;
    private readonly SampleHostOptions _options;
    private readonly TimeProvider _time;

    public DatabaseEnrollmentAuthority(CertificateRepository certificates, CaKeyRing cas, CrlService crls, IOptions<SampleHostOptions> options, TimeProvider time)
    {
        _certificates = certificates;
        _cas = cas;
        _crls = crls;
        _options = options.Value;
        _time = time;
    }

    /// <summary>How long issued certificates are valid (capped at the CA's own end).</summary>
    public TimeSpan CertificateValidity => TimeSpan.FromDays(_options.CertificateValidityDays);

    public async ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ca = _cas.Find(CaKey.IdOf(context.IssuingCaCertificate))
            ?? throw new InvalidOperationException($"No key for the issuing CA '{context.IssuingCaCertificate.Subject}'.");
        var csr = context.CertificationRequest;

        // CA mode issues with the DN registered for the entity (add-entity --dn); RA mode and renewals of
        // entities without one keep the request's subject as the client encoded it.
        var subject = context.Mode == ScepOperationMode.Ca && context.EndEntity?.SubjectDn is { Length: > 0 } dn
            ? new X500DistinguishedName(dn)
            : csr.Subject;
        var username = context.EndEntity?.Username ?? csr.CommonName;
        var now = _time.GetUtcNow();

        if (_options.RequiresApproval(context.Alias))
        {
            var pending = new PendingRequestRecord(
                Convert.ToHexString(RandomNumberGenerator.GetBytes(6)),
                context.Alias,
                ca.Id,
                context.TransactionId,
                username,
                subject.Name,
                subject.RawData,
                csr.Encode(),
                now,
                PendingState.Pending);
            await _certificates.AddPendingAsync(pending, cancellationToken).ConfigureAwait(false);
            return EnrollmentDecision.Pending(pending.Id);
        }

        var certificate = await IssueAndRecordAsync(ca, subject, csr, username, context.Alias, context.TransactionId, cancellationToken).ConfigureAwait(false);
        return EnrollmentDecision.Issued(certificate.Der);
    }

    public async ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var record = await _certificates.FindPendingAsync(pending.Reference, cancellationToken).ConfigureAwait(false);
        switch (record?.State)
        {
            case PendingState.Pending:
                return EnrollmentDecision.Pending(record.Id);
            case PendingState.Approved when record.CertificateSerial is { } serial
                && await _certificates.FindAsync(serial, cancellationToken).ConfigureAwait(false) is { } issued:
                return EnrollmentDecision.Issued(issued.Der);
            case PendingState.Rejected:
                return EnrollmentDecision.Rejected(FailInfo.BadRequest, record.Reason ?? "The request was rejected.");
            default:
                return EnrollmentDecision.Rejected(FailInfo.BadRequest, "The pending request is not known.");
        }
    }

    public async ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var record = await _certificates.FindAsync(certificate.SerialNumberHex, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var found = X509CertificateLoader.LoadCertificate(record.Der);
        return certificate.Matches(found) ? found : null;
    }

    public async ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var record = await _certificates.FindAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (record is null || !record.Der.AsSpan().SequenceEqual(certificate.RawData))
        {
            return CertificateStatus.Unknown;
        }

        return record.RevokedAt is null ? CertificateStatus.Good : CertificateStatus.Revoked;
    }

    /// <summary>
    /// Settles a reservation a crash left behind: the certificate recorded for the transaction, or for the end entity
    /// since it was reserved (<see cref="IssueAndRecordAsync"/> records before the reply leaves, so a certificate any
    /// client received is found here).
    /// </summary>
    public async ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var record = query.TransactionId is { } transactionId
            ? await _certificates.FindByTransactionAsync(query.Alias, transactionId, cancellationToken).ConfigureAwait(false)
            : query.Username is { } username
                ? await _certificates.FindLatestForUserAsync(username, query.Since, cancellationToken).ConfigureAwait(false)
                : null;
        return record is null ? null : X509CertificateLoader.LoadCertificate(record.Der);
    }

    public async ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var ca = _cas.Find(CaKey.IdOf(issuer));
        return ca is null ? null : await _crls.GetCurrentAsync(ca, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Issues a certificate for <paramref name="csr"/> and records it.</summary>
    internal async ValueTask<IssuedDer> IssueAndRecordAsync(CaKey ca, X500DistinguishedName subject, Pkcs10Request csr, string? username, string? alias, string? transactionId, CancellationToken cancellationToken)
    {
        // A random 16-byte serial collides with nothing in practice; the primary key makes sure of it.
        for (var attempt = 0; ; attempt++)
        {
            var now = _time.GetUtcNow();
            var certificate = CertificateFactory.Issue(ca, subject, csr.PublicKey, csr.RequestedExtensions, CertificateValidity, now);
            if (await _certificates.TryRecordAsync(IssuedCertificateRecord.From(certificate, ca.Id, username, alias, transactionId, now), cancellationToken).ConfigureAwait(false))
            {
                return certificate;
            }

            if (attempt == 2)
            {
                throw new InvalidOperationException("Could not record the issued certificate: its serial number is taken.");
            }
        }
    }
}
