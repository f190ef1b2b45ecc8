using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Storage;

namespace Scep.SampleHost;

/// <summary>
/// What an operator does, for the admin commands and the admin API alike: end entities through the database store,
/// approvals, revocations and CRLs through the issuing authority, the CA files through the key ring. Every action that
/// changes something goes to the audit log (<see cref="DatabaseAuditLog"/>) with its actor, target and outcome, also
/// when it is refused or fails; reads are not audited.
/// </summary>
public sealed class Administration
{
    private readonly DatabaseEndEntityStore _entities;
    private readonly ICertificateStore _certificates;
    private readonly IssuingAuthority _authority;
    private readonly CaKeyRing _cas;
    private readonly DatabaseAuditLog _audit;
    private readonly AdminActor _actor;
    private readonly TimeProvider _time;

    public Administration(DatabaseEndEntityStore entities, ICertificateStore certificates, IssuingAuthority authority, CaKeyRing cas, DatabaseAuditLog audit, AdminActor actor, TimeProvider time)
    {
        _entities = entities;
        _certificates = certificates;
        _authority = authority;
        _cas = cas;
        _audit = audit;
        _actor = actor;
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
        ArgumentException.ThrowIfNullOrEmpty(enrollmentCode);
        return AuditedAsync("entity.register", username, async () =>
        {
            CheckEntity(username, subjectDn);
            var created = await _entities.RegisterAsync(username, enrollmentCode, subjectDn, alias, ExpiresAt(codeValidFor), cancellationToken).ConfigureAwait(false);
            return (created, created ? "new" : "re-registered");
        });
    }

    /// <summary>
    /// Creates an end entity with a generated one-time code (<see cref="EnrollmentCodes"/>), returned here and never
    /// again (the store keeps its hash). Refused when the username is taken.
    /// </summary>
    public ValueTask<(EndEntity Entity, string EnrollmentCode)> CreateEntityAsync(string username, string? subjectDn, string? alias, TimeSpan? codeValidFor, CancellationToken cancellationToken) =>
        AuditedAsync("entity.create", username, async () =>
        {
            CheckEntity(username, subjectDn);
            var code = EnrollmentCodes.Generate();
            var entity = new EndEntity
            {
                Username = username,
                EnrollmentCodeHash = EnrollmentCode.Hash(code),
                EnrollmentCodeExpiresAt = ExpiresAt(codeValidFor),
                Status = EndEntityStatus.New,
                SubjectDn = subjectDn,
                Alias = alias,
                StatusChangedAt = _time.GetUtcNow(),
            };

            // Insert-if-absent, in one statement: a username that exists (or is created at the same moment) is never
            // re-registered here, so another caller's code is never overwritten.
            if (!await _entities.TryAddAsync(entity, cancellationToken).ConfigureAwait(false))
            {
                throw new AdministrationException($"An end entity '{username}' exists; reset it for a new code.", AdministrationFailure.Conflict);
            }

            return ((entity, code), (string?)null);
        });

    /// <summary>Sets an end entity back to NEW and lifts a lockout, optionally with a new code (EJBCA: reset the status).</summary>
    public ValueTask<EndEntity> ResetEntityAsync(string username, string? newEnrollmentCode, TimeSpan? codeValidFor, CancellationToken cancellationToken) =>
        AuditedAsync("entity.reset", username, async () =>
        {
            var entity = await _entities.ResetAsync(username, _time.GetUtcNow(), newEnrollmentCode, ExpiresAt(codeValidFor), cancellationToken).ConfigureAwait(false)
                ?? throw new AdministrationException($"No end entity '{username}'.", AdministrationFailure.NotFound);
            return (entity, newEnrollmentCode is null ? "same code" : "new code");
        });

    /// <summary>Deletes an end entity; its certificates stay issued (revoke them separately).</summary>
    public ValueTask DeleteEntityAsync(string username, CancellationToken cancellationToken) =>
        AuditedAsync("entity.delete", username, async () =>
        {
            if (!await _entities.DeleteAsync(username, cancellationToken).ConfigureAwait(false))
            {
                throw new AdministrationException($"No end entity '{username}'.", AdministrationFailure.NotFound);
            }

            return (true, (string?)null);
        }).AsNonGeneric();

    public ValueTask<EndEntity?> FindEntityAsync(string username, CancellationToken cancellationToken) => _entities.FindAsync(username, cancellationToken);

    public ValueTask<IReadOnlyList<EndEntity>> ListEntitiesAsync(CancellationToken cancellationToken) => _entities.ListAsync(cancellationToken);

    public ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken) => _certificates.ListPendingAsync(cancellationToken);

    public ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListCertificatesAsync(CancellationToken cancellationToken) =>
        _certificates.ListAsync(new CertificateQuery { Take = int.MaxValue }, cancellationToken);

    /// <summary>Certificates whose subject, serial number or username contains <paramref name="search"/> (all when null), oldest first.</summary>
    public ValueTask<IReadOnlyList<IssuedCertificateRecord>> SearchCertificatesAsync(string? search, int skip, int take, CancellationToken cancellationToken) =>
        _certificates.ListAsync(new CertificateQuery { Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(), Skip = skip, Take = take }, cancellationToken);

    public ValueTask<IssuedCertificateRecord?> FindCertificateAsync(string serial, CancellationToken cancellationToken) =>
        _certificates.FindAsync(IssuingAuthority.NormalizeSerial(serial), cancellationToken);

    /// <summary>The current CA, the next one during a rollover, and each one's current CRL (null before the first).</summary>
    public async ValueTask<IReadOnlyList<(CaKey Ca, bool IsNext, StoredCrl? Crl)>> CaStatusAsync(CancellationToken cancellationToken)
    {
        var (current, next) = _cas.CurrentAndNext();
        var status = new List<(CaKey, bool, StoredCrl?)> { (current, false, await _certificates.GetCrlAsync(current.Id, cancellationToken).ConfigureAwait(false)) };
        if (next is not null)
        {
            status.Add((next, true, await _certificates.GetCrlAsync(next.Id, cancellationToken).ConfigureAwait(false)));
        }

        return status;
    }

    /// <summary>The latest audit entries, newest first.</summary>
    public ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(int take, string? before, CancellationToken cancellationToken) => _audit.ListAsync(take, before, cancellationToken);

    /// <summary>Issues the certificate of a pending request; the client gets it at its next poll.</summary>
    public ValueTask<X509Certificate2> ApproveAsync(string id, CancellationToken cancellationToken) =>
        AuditedAsync("request.approve", id, async () =>
        {
            var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
            try
            {
                var record = await _authority.ApproveAsync(pending.Id, cancellationToken).ConfigureAwait(false);
                return (X509CertificateLoader.LoadCertificate(record.RawData), $"serial {record.SerialNumber}");
            }
            catch (InvalidOperationException e)
            {
                throw new AdministrationException(e.Message, AdministrationFailure.Conflict);
            }
        });

    public ValueTask RejectAsync(string id, string? reason, CancellationToken cancellationToken) =>
        AuditedAsync("request.reject", id, async () =>
        {
            var pending = await RequirePendingAsync(id, cancellationToken).ConfigureAwait(false);
            var text = string.IsNullOrWhiteSpace(reason) ? "Rejected by the administrator." : reason.Trim();
            if (!await _authority.RejectAsync(pending.Id, text, cancellationToken).ConfigureAwait(false))
            {
                throw new AdministrationException($"Request {id} was decided meanwhile.", AdministrationFailure.Conflict);
            }

            return (true, (string?)text);
        }).AsNonGeneric();

    public ValueTask<IssuedCertificateRecord> RevokeAsync(string serial, X509RevocationReason? reason, CancellationToken cancellationToken) =>
        AuditedAsync("certificate.revoke", serial, async () =>
        {
            var (result, certificate) = await _authority.RevokeAsync(serial, reason, cancellationToken).ConfigureAwait(false);
            return result switch
            {
                RevocationResult.Revoked => (certificate!, reason?.ToString() ?? "no reason"),
                RevocationResult.AlreadyRevoked => throw new AdministrationException($"Certificate {IssuingAuthority.NormalizeSerial(serial)} is already revoked.", AdministrationFailure.Conflict),
                _ => throw new AdministrationException($"No certificate with serial number {IssuingAuthority.NormalizeSerial(serial)} was issued here.", AdministrationFailure.NotFound),
            };
        });

    /// <summary>A new CRL for the current CA (and the next one, during a rollover).</summary>
    public ValueTask<IReadOnlyList<(CaKey Ca, StoredCrl Crl)>> IssueCrlAsync(CancellationToken cancellationToken) =>
        AuditedAsync("crl.issue", null, async () =>
        {
            var crls = await _authority.IssueCrlsAsync(CaKeyRing.CaName, cancellationToken).ConfigureAwait(false);
            var issued = new List<(CaKey, StoredCrl)>();
            foreach (var crl in crls)
            {
                issued.Add((_cas.Find(crl.IssuerId) ?? throw new AdministrationException($"No CA {crl.IssuerId} in the data folder.", AdministrationFailure.Conflict), crl));
            }

            return ((IReadOnlyList<(CaKey, StoredCrl)>)issued, string.Join(", ", crls.Select(c => $"number {c.Number}")));
        });

    /// <summary>Creates the next CA certificate, served by GetNextCACert from now on.</summary>
    public ValueTask<CaKey> RolloverCaAsync() =>
        AuditedAsync("ca.rollover", null, () =>
        {
            var next = _cas.CreateNext() ?? throw new AdministrationException($"A next CA exists already ({CaBootstrap.NextCaFileName}).", AdministrationFailure.Conflict);
            return ValueTask.FromResult((next, (string?)$"{next.Certificate.Subject}, SHA-256 {next.Id}"));
        });

    /// <summary>Runs an action and records it with its outcome: done, refused (an <see cref="AdministrationException"/>), or failed.</summary>
    internal async ValueTask<T> AuditedAsync<T>(string action, string? target, Func<ValueTask<(T Result, string? Detail)>> work)
    {
        var actor = _actor.Current;
        (T Result, string? Detail) done;
        try
        {
            done = await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AdministrationException or ArgumentException or CryptographicException)
        {
            await _audit.AppendAsync(actor, action, target, AuditOutcome.Refused, e.Message, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            await TryAppendAsync(actor, action, target, AuditOutcome.Failed, e.GetType().Name).ConfigureAwait(false);
            throw;
        }

        await _audit.AppendAsync(actor, action, target, AuditOutcome.Succeeded, done.Detail, CancellationToken.None).ConfigureAwait(false);
        return done.Result;
    }

    /// <summary>A failure's entry, unless the audit log fails too (the database is gone): the action's own exception is the one to report.</summary>
    private async ValueTask TryAppendAsync(string actor, string action, string? target, AuditOutcome outcome, string detail)
    {
        try
        {
            await _audit.AppendAsync(actor, action, target, outcome, detail, CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException)
        {
        }
    }

    private static void CheckEntity(string username, string? subjectDn)
    {
        if (string.IsNullOrWhiteSpace(username) || username.Length > 256 || username.Any(char.IsControl))
        {
            throw new AdministrationException("A username is 1 to 256 characters, without control characters.", AdministrationFailure.Invalid);
        }

        if (subjectDn is not null)
        {
            try
            {
                _ = new X500DistinguishedName(subjectDn);
            }
            catch (CryptographicException)
            {
                throw new AdministrationException($"'{subjectDn}' is not a distinguished name.", AdministrationFailure.Invalid);
            }
        }
    }

    private DateTimeOffset? ExpiresAt(TimeSpan? validFor) => validFor is { } span ? _time.GetUtcNow() + span : null;

    private async ValueTask<PendingApproval> RequirePendingAsync(string id, CancellationToken cancellationToken)
    {
        var pending = await _certificates.FindPendingAsync(id.Trim().ToUpperInvariant(), cancellationToken).ConfigureAwait(false)
            ?? throw new AdministrationException($"No pending request {id}.", AdministrationFailure.NotFound);
        return pending.State == ApprovalState.Pending
            ? pending
            : throw new AdministrationException($"Request {id} is already {pending.State.ToString().ToLowerInvariant()}.", AdministrationFailure.Conflict);
    }
}

/// <summary>What kind of refusal an <see cref="AdministrationException"/> is (the admin API's status code).</summary>
public enum AdministrationFailure
{
    /// <summary>The object's state does not allow it (409).</summary>
    Conflict,

    /// <summary>No such object (404).</summary>
    NotFound,

    /// <summary>The input is not valid (400).</summary>
    Invalid,
}

/// <summary>An admin command that cannot be done, with a message for the operator.</summary>
public sealed class AdministrationException(string message, AdministrationFailure failure = AdministrationFailure.Conflict) : Exception(message)
{
    public AdministrationFailure Failure { get; } = failure;
}

internal static class ValueTaskExtensions
{
    public static async ValueTask AsNonGeneric<T>(this ValueTask<T> task) => await task.ConfigureAwait(false);
}
