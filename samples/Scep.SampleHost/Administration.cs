using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Server;
using Scep.SampleHost.Storage;
using IssuedCertificateRecord = Scep.SampleHost.Storage.IssuedCertificateRecord;
using RevocationResult = Scep.SampleHost.Storage.RevocationResult;
using StoredCrl = Scep.SampleHost.Storage.StoredCrl;

namespace Scep.SampleHost;

/// <summary>What the admin commands do, on the database and the data folder (no HTTP involved).</summary>
public sealed class Administration
{
    private readonly DatabaseEndEntityStore _entities;
    private readonly CertificateRepository _certificates;
    private readonly DatabaseEnrollmentAuthority _authority;
    private readonly CrlService _crls;
    private readonly CaKeyRing _cas;
    private readonly TimeProvider _time;

    public Administration(DatabaseEndEntityStore entities, CertificateRepository certificates, DatabaseEnrollmentAuthority authority, CrlService crls, CaKeyRing cas, TimeProvider time)
    {
        _entities = entities;
        _certificates = certificates;
        _authority = authority;
        _crls = crls;
        _cas = cas;
        _time = time;
    }

    public CaKeyRing Cas => _cas;

    /// <summary>Registers (or re-registers) an end entity for CA-mode enrollment.</summary>
    /// <returns>True when it is new.</returns>
    public ValueTask<bool> AddEntityAsync(string username, string enrollmentCode, string? subjectDn, string? alias, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(enrollmentCode);
        if (subjectDn is not null)
        {
            // Fails early on a DN that cannot be encoded.
            _ = new X500DistinguishedName(subjectDn);
        }

        return _entities.RegisterAsync(username, enrollmentCode, subjectDn, alias, cancellationToken);
    }

    public ValueTask<IReadOnlyList<EndEntity>> ListEntitiesAsync(CancellationToken cancellationToken) => _entities.ListAsync(cancellationToken);

    public ValueTask<IReadOnlyList<PendingRequestRecord>> ListPendingAsync(CancellationToken cancellationToken) => _certificates.ListPendingAsync(cancellationToken);

    public ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListCertificatesAsync(CancellationToken cancellationToken) => _certificates.ListAsync(cancellationToken);

    /// <summary>Issues the certificate of a pending request; the client gets it at its next poll.</summary>
    public async ValueTask<X509Certificate2> ApproveAsync(string id, CancellationToken cancellationToken)
    {
        var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
        var ca = _cas.Find(pending.IssuerId)
            ?? throw new AdministrationException($"The CA of request {id} is no longer in the data folder.");
        var csr = Pkcs10Request.Decode(pending.Csr);
        var now = _time.GetUtcNow();
        var certificate = CertificateFactory.Issue(ca, new X500DistinguishedName(pending.SubjectDer), csr.PublicKey, csr.RequestedExtensions, _authority.CertificateValidity, now);
        var record = IssuedCertificateRecord.From(certificate, ca.Id, pending.Username, pending.Alias, pending.TransactionId, now);
        if (!await _certificates.TryApproveAsync(pending.Id, record, now, cancellationToken).ConfigureAwait(false))
        {
            throw new AdministrationException($"Request {id} was decided meanwhile.");
        }

        return X509CertificateLoader.LoadCertificate(certificate.Der);
    }

    public async ValueTask RejectAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
        if (!await _certificates.TryRejectAsync(pending.Id, reason ?? "Rejected by the administrator.", _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new AdministrationException($"Request {id} was decided meanwhile.");
        }
    }

    public async ValueTask<IssuedCertificateRecord> RevokeAsync(string serial, X509RevocationReason? reason, CancellationToken cancellationToken)
    {
        var (result, certificate) = await _certificates.RevokeAsync(serial, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return result switch
        {
            RevocationResult.Revoked => certificate!,
            RevocationResult.AlreadyRevoked => throw new AdministrationException($"Certificate {CertificateRepository.NormalizeSerial(serial)} is already revoked."),
            _ => throw new AdministrationException($"No certificate with serial number {CertificateRepository.NormalizeSerial(serial)} was issued here."),
        };
    }

    /// <summary>A new CRL for the current CA (and the next one, during a rollover).</summary>
    public async ValueTask<IReadOnlyList<(CaKey Ca, StoredCrl Crl)>> IssueCrlAsync(CancellationToken cancellationToken)
    {
        var issued = new List<(CaKey, StoredCrl)> { (_cas.Current, await _crls.IssueAsync(_cas.Current, cancellationToken).ConfigureAwait(false)) };
        if (_cas.Next is { } next)
        {
            issued.Add((next, await _crls.IssueAsync(next, cancellationToken).ConfigureAwait(false)));
        }

        return issued;
    }

    /// <summary>Creates the next CA certificate, served by GetNextCACert from now on.</summary>
    public CaKey RolloverCa() =>
        _cas.CreateNext() ?? throw new AdministrationException($"A next CA exists already ({CaBootstrap.NextCaFileName}).");

    private async ValueTask<PendingRequestRecord> RequirePendingAsync(string id, CancellationToken cancellationToken)
    {
        var pending = await _certificates.FindPendingAsync(id.Trim().ToUpperInvariant(), cancellationToken).ConfigureAwait(false)
            ?? throw new AdministrationException($"No pending request {id}.");
        return pending.State == PendingState.Pending
            ? pending
            : throw new AdministrationException($"Request {id} is already {pending.State.ToString().ToLowerInvariant()}.");
    }
}

/// <summary>An admin command that cannot be done, with a message for the operator.</summary>
public sealed class AdministrationException(string message) : Exception(message);
