using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Storage;

namespace Scep.SampleHost;

/// <summary>
/// What the admin commands do, on the database and the data folder (no HTTP involved): end entities through the
/// database store, approvals, revocations and CRLs through the issuing authority, the CA files through the key ring.
/// </summary>
public sealed class Administration
{
    private readonly DatabaseEndEntityStore _entities;
    private readonly ICertificateStore _certificates;
    private readonly IssuingAuthority _authority;
    private readonly CaKeyRing _cas;
    private readonly TimeProvider _time;

    public Administration(DatabaseEndEntityStore entities, ICertificateStore certificates, IssuingAuthority authority, CaKeyRing cas, TimeProvider time)
    {
        _entities = entities;
        _certificates = certificates;
        _authority = authority;
        _cas = cas;
        _time = time;
    }

    public CaKeyRing Cas => _cas;

    /// <summary>Registers (or re-registers) an end entity for CA-mode enrollment, its code valid until it is used.</summary>
    /// <returns>True when it is new.</returns>
    public ValueTask<bool> AddEntityAsync(string username, string enrollmentCode, string? subjectDn, string? alias, CancellationToken cancellationToken) =>
        AddEntityAsync(username, enrollmentCode, subjectDn, alias, null, cancellationToken);

    /// <summary>Registers (or re-registers) an end entity for CA-mode enrollment, its code valid for <paramref name="codeValidFor"/> (null: no end).</summary>
    /// <returns>True when it is new.</returns>
    public ValueTask<bool> AddEntityAsync(string username, string enrollmentCode, string? subjectDn, string? alias, TimeSpan? codeValidFor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(enrollmentCode);
        if (subjectDn is not null)
        {
            // Fails early on a DN that cannot be encoded.
            _ = new X500DistinguishedName(subjectDn);
        }

        return _entities.RegisterAsync(username, enrollmentCode, subjectDn, alias, ExpiresAt(codeValidFor), cancellationToken);
    }

    /// <summary>Sets an end entity back to NEW and lifts a lockout, optionally with a new code (EJBCA: reset the status).</summary>
    public async ValueTask<EndEntity> ResetEntityAsync(string username, string? newEnrollmentCode, TimeSpan? codeValidFor, CancellationToken cancellationToken) =>
        await _entities.ResetAsync(username, _time.GetUtcNow(), newEnrollmentCode, ExpiresAt(codeValidFor), cancellationToken).ConfigureAwait(false)
            ?? throw new AdministrationException($"No end entity '{username}'.");

    public ValueTask<IReadOnlyList<EndEntity>> ListEntitiesAsync(CancellationToken cancellationToken) => _entities.ListAsync(cancellationToken);

    public ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken) => _certificates.ListPendingAsync(cancellationToken);

    public ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListCertificatesAsync(CancellationToken cancellationToken) =>
        _certificates.ListAsync(new CertificateQuery { Take = int.MaxValue }, cancellationToken);

    /// <summary>Issues the certificate of a pending request; the client gets it at its next poll.</summary>
    public async ValueTask<X509Certificate2> ApproveAsync(string id, CancellationToken cancellationToken)
    {
        var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await _authority.ApproveAsync(pending.Id, cancellationToken).ConfigureAwait(false);
            return X509CertificateLoader.LoadCertificate(record.RawData);
        }
        catch (InvalidOperationException e)
        {
            throw new AdministrationException(e.Message);
        }
    }

    public async ValueTask RejectAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
        if (!await _authority.RejectAsync(pending.Id, reason ?? "Rejected by the administrator.", cancellationToken).ConfigureAwait(false))
        {
            throw new AdministrationException($"Request {id} was decided meanwhile.");
        }
    }

    public async ValueTask<IssuedCertificateRecord> RevokeAsync(string serial, X509RevocationReason? reason, CancellationToken cancellationToken)
    {
        var (result, certificate) = await _authority.RevokeAsync(serial, reason, cancellationToken).ConfigureAwait(false);
        return result switch
        {
            RevocationResult.Revoked => certificate!,
            RevocationResult.AlreadyRevoked => throw new AdministrationException($"Certificate {IssuingAuthority.NormalizeSerial(serial)} is already revoked."),
            _ => throw new AdministrationException($"No certificate with serial number {IssuingAuthority.NormalizeSerial(serial)} was issued here."),
        };
    }

    /// <summary>A new CRL for the current CA (and the next one, during a rollover).</summary>
    public async ValueTask<IReadOnlyList<(CaKey Ca, StoredCrl Crl)>> IssueCrlAsync(CancellationToken cancellationToken)
    {
        var crls = await _authority.IssueCrlsAsync(CaKeyRing.CaName, cancellationToken).ConfigureAwait(false);
        var issued = new List<(CaKey, StoredCrl)>();
        foreach (var crl in crls)
        {
            issued.Add((_cas.Find(crl.IssuerId) ?? throw new AdministrationException($"No CA {crl.IssuerId} in the data folder."), crl));
        }

        return issued;
    }

    /// <summary>Creates the next CA certificate, served by GetNextCACert from now on.</summary>
    public CaKey RolloverCa() =>
        _cas.CreateNext() ?? throw new AdministrationException($"A next CA exists already ({CaBootstrap.NextCaFileName}).");

    private DateTimeOffset? ExpiresAt(TimeSpan? validFor) => validFor is { } span ? _time.GetUtcNow() + span : null;

    private async ValueTask<PendingApproval> RequirePendingAsync(string id, CancellationToken cancellationToken)
    {
        var pending = await _certificates.FindPendingAsync(id.Trim().ToUpperInvariant(), cancellationToken).ConfigureAwait(false)
            ?? throw new AdministrationException($"No pending request {id}.");
        return pending.State == ApprovalState.Pending
            ? pending
            : throw new AdministrationException($"Request {id} is already {pending.State.ToString().ToLowerInvariant()}.");
    }
}

/// <summary>An admin command that cannot be done, with a message for the operator.</summary>
public sealed class AdministrationException(string message) : Exception(message);
