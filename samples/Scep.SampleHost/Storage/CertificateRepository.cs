using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Storage;

/// <summary>Issued certificates, revocations, pending requests and CRLs.</summary>
public sealed class CertificateRepository
{
    private const string CertificateColumns =
        "serial, issuer_id, subject, username, alias, transaction_id, not_before, not_after, issued_at, der, revoked_at, revocation_reason";

    private const string PendingColumns =
        "id, alias, issuer_id, transaction_id, username, subject, subject_der, csr, requested_at, state, reason, certificate_serial, decided_at";

    private readonly ScepDatabase _database;

    public CertificateRepository(ScepDatabase database)
    {
        _database = database;
    }

    /// <summary>Records an issued certificate.</summary>
    /// <returns>False when its serial number is taken.</returns>
    public async ValueTask<bool> TryRecordAsync(IssuedCertificateRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await _database.ExecuteAsync(InsertCertificate, CertificateParameters(record), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException e) when (_database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async ValueTask<IssuedCertificateRecord?> FindAsync(string serial, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync($"SELECT {CertificateColumns} FROM certificates WHERE serial = @serial", [("serial", NormalizeSerial(serial))], ReadCertificate, cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <summary>The latest certificate issued for a transaction of an alias.</summary>
    public async ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            $"SELECT {CertificateColumns} FROM certificates WHERE transaction_id = @transaction AND LOWER(alias) = LOWER(@alias) ORDER BY issued_at DESC",
            [("transaction", transactionId), ("alias", alias)],
            ReadCertificate,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <summary>The latest certificate issued for an end entity at or after <paramref name="since"/>.</summary>
    public async ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            $"SELECT {CertificateColumns} FROM certificates WHERE username = @username AND issued_at >= @since ORDER BY issued_at DESC",
            [("username", username), ("since", since.UtcTicks)],
            ReadCertificate,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    public async ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync($"SELECT {CertificateColumns} FROM certificates ORDER BY issued_at", [], ReadCertificate, cancellationToken).ConfigureAwait(false);

    /// <summary>Revokes a certificate and marks its CA's CRL as out of date, in one transaction.</summary>
    public async ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serial, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        serial = NormalizeSerial(serial);
        return await _database.InTransactionAsync<(RevocationResult, IssuedCertificateRecord?)>(
            async session =>
            {
                var found = (await session.QueryAsync($"SELECT {CertificateColumns} FROM certificates WHERE serial = @serial", [("serial", serial)], ReadCertificate, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                if (found is null)
                {
                    return (RevocationResult.NotFound, null);
                }

                var revoked = await session.ExecuteAsync(
                    "UPDATE certificates SET revoked_at = @at, revocation_reason = @reason WHERE serial = @serial AND revoked_at IS NULL",
                    [("at", at.UtcTicks), ("reason", reason is { } r ? (long)r : null), ("serial", serial)],
                    cancellationToken).ConfigureAwait(false);
                if (revoked == 0)
                {
                    return (RevocationResult.AlreadyRevoked, found);
                }

                await EnsureCrlStateAsync(session, found.IssuerId, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync("UPDATE crl_state SET revision = revision + 1 WHERE issuer_id = @issuer", [("issuer", found.IssuerId)], cancellationToken).ConfigureAwait(false);
                return (RevocationResult.Revoked, found with { RevokedAt = at, RevocationReason = reason });
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RevokedEntry>> ListRevokedAsync(string issuerId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE issuer_id = @issuer AND revoked_at IS NOT NULL ORDER BY revoked_at",
            [("issuer", issuerId)],
            r => new RevokedEntry(r.GetString(0), ScepDatabase.Time(r.GetInt64(1)), ScepDatabase.NullableInt64(r, 2) is { } reason ? (X509RevocationReason)reason : null),
            cancellationToken).ConfigureAwait(false);

    /// <summary>The revision of a CA's revocations: it grows with every revocation.</summary>
    public async ValueTask<long> GetRevisionAsync(string issuerId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync("SELECT revision FROM crl_state WHERE issuer_id = @issuer", [("issuer", issuerId)], r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : rows[0];
    }

    /// <summary>Takes the next CRL number of a CA (monotonic, never reused, shared by every instance) with the revision it covers.</summary>
    public async ValueTask<(long Number, long Revision)> NextCrlNumberAsync(string issuerId, CancellationToken cancellationToken) =>
        await _database.InTransactionAsync(
            async session =>
            {
                await EnsureCrlStateAsync(session, issuerId, cancellationToken).ConfigureAwait(false);
                var rows = await session.QueryAsync(
                    "UPDATE crl_state SET crl_number = crl_number + 1 WHERE issuer_id = @issuer RETURNING crl_number, revision",
                    [("issuer", issuerId)],
                    r => (r.GetInt64(0), r.GetInt64(1)),
                    cancellationToken).ConfigureAwait(false);
                return rows[0];
            },
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            "SELECT crl_number, revision, this_update, next_update, der FROM crls WHERE issuer_id = @issuer",
            [("issuer", issuerId)],
            r => new StoredCrl(issuerId, r.GetInt64(0), r.GetInt64(1), ScepDatabase.Time(r.GetInt64(2)), ScepDatabase.Time(r.GetInt64(3)), (byte[])r.GetValue(4)),
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <summary>Keeps a CRL as the CA's current one, unless a CRL with a higher number is stored already.</summary>
    public async ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken) =>
        await _database.ExecuteAsync(
            """
            INSERT INTO crls (issuer_id, crl_number, revision, this_update, next_update, der)
            VALUES (@issuer, @number, @revision, @this_update, @next_update, @der)
            ON CONFLICT (issuer_id) DO UPDATE SET crl_number = excluded.crl_number, revision = excluded.revision,
                this_update = excluded.this_update, next_update = excluded.next_update, der = excluded.der
            WHERE crls.crl_number < excluded.crl_number
            """,
            [("issuer", crl.IssuerId), ("number", crl.Number), ("revision", crl.Revision), ("this_update", crl.ThisUpdate.UtcTicks), ("next_update", crl.NextUpdate.UtcTicks), ("der", crl.Der)],
            cancellationToken).ConfigureAwait(false);

    public async ValueTask AddPendingAsync(PendingRequestRecord pending, CancellationToken cancellationToken) =>
        await _database.ExecuteAsync(
            $"""
            INSERT INTO pending_requests ({PendingColumns})
            VALUES (@id, @alias, @issuer, @transaction_id, @username, @subject, @subject_der, @csr, @requested_at, @state, @reason, @certificate_serial, @decided_at)
            """,
            [
                ("id", pending.Id), ("alias", pending.Alias), ("issuer", pending.IssuerId), ("transaction_id", pending.TransactionId),
                ("username", pending.Username), ("subject", pending.Subject), ("subject_der", pending.SubjectDer), ("csr", pending.Csr),
                ("requested_at", pending.RequestedAt.UtcTicks), ("state", (long)pending.State), ("reason", pending.Reason),
                ("certificate_serial", pending.CertificateSerial), ("decided_at", pending.DecidedAt?.UtcTicks),
            ],
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<PendingRequestRecord?> FindPendingAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync($"SELECT {PendingColumns} FROM pending_requests WHERE id = @id", [("id", id)], ReadPending, cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    public async ValueTask<IReadOnlyList<PendingRequestRecord>> ListPendingAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            $"SELECT {PendingColumns} FROM pending_requests WHERE state = @state ORDER BY requested_at",
            [("state", (long)PendingState.Pending)],
            ReadPending,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Records the certificate issued for a pending request and marks the request approved, in one transaction; only one decision wins.</summary>
    /// <returns>False when the request was no longer pending (nothing is recorded then).</returns>
    public async ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _database.InTransactionAsync(
            async session =>
            {
                var decided = await session.ExecuteAsync(
                    "UPDATE pending_requests SET state = @approved, certificate_serial = @serial, decided_at = @at WHERE id = @id AND state = @pending",
                    [("approved", (long)PendingState.Approved), ("serial", certificate.Serial), ("at", at.UtcTicks), ("id", id), ("pending", (long)PendingState.Pending)],
                    cancellationToken).ConfigureAwait(false);
                if (decided == 0)
                {
                    return false;
                }

                await session.ExecuteAsync(InsertCertificate, CertificateParameters(certificate), cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <returns>False when the request was no longer pending.</returns>
    public async ValueTask<bool> TryRejectAsync(string id, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _database.ExecuteAsync(
            "UPDATE pending_requests SET state = @rejected, reason = @reason, decided_at = @at WHERE id = @id AND state = @pending",
            [("rejected", (long)PendingState.Rejected), ("reason", reason), ("at", at.UtcTicks), ("id", id), ("pending", (long)PendingState.Pending)],
            cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Serial numbers as the database keeps them: upper-case hex without separators.</summary>
    public static string NormalizeSerial(string serial) =>
        new string(serial.Where(c => c is not (':' or ' ' or '-')).ToArray()).ToUpperInvariant();

    private const string InsertCertificate =
        $"INSERT INTO certificates ({CertificateColumns}) VALUES (@serial, @issuer, @subject, @username, @alias, @transaction_id, @not_before, @not_after, @issued_at, @der, @revoked_at, @revocation_reason)";

    private static async ValueTask EnsureCrlStateAsync(DbSession session, string issuerId, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "INSERT INTO crl_state (issuer_id, crl_number, revision) VALUES (@issuer, 0, 0) ON CONFLICT (issuer_id) DO NOTHING",
            [("issuer", issuerId)],
            cancellationToken).ConfigureAwait(false);

    private static (string, object?)[] CertificateParameters(IssuedCertificateRecord c) =>
    [
        ("serial", c.Serial), ("issuer", c.IssuerId), ("subject", c.Subject), ("username", c.Username), ("alias", c.Alias),
        ("transaction_id", c.TransactionId), ("not_before", c.NotBefore.UtcTicks), ("not_after", c.NotAfter.UtcTicks),
        ("issued_at", c.IssuedAt.UtcTicks), ("der", c.Der), ("revoked_at", c.RevokedAt?.UtcTicks),
        ("revocation_reason", c.RevocationReason is { } r ? (long)r : null),
    ];

    private static IssuedCertificateRecord ReadCertificate(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        ScepDatabase.NullableString(r, 3),
        ScepDatabase.NullableString(r, 4),
        ScepDatabase.NullableString(r, 5),
        ScepDatabase.Time(r.GetInt64(6)),
        ScepDatabase.Time(r.GetInt64(7)),
        ScepDatabase.Time(r.GetInt64(8)),
        (byte[])r.GetValue(9),
        ScepDatabase.Time(ScepDatabase.NullableInt64(r, 10)),
        ScepDatabase.NullableInt64(r, 11) is { } reason ? (X509RevocationReason)reason : null);

    private static PendingRequestRecord ReadPending(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        ScepDatabase.NullableString(r, 4),
        r.GetString(5),
        (byte[])r.GetValue(6),
        (byte[])r.GetValue(7),
        ScepDatabase.Time(r.GetInt64(8)),
        (PendingState)r.GetInt64(9),
        ScepDatabase.NullableString(r, 10),
        ScepDatabase.NullableString(r, 11),
        ScepDatabase.Time(ScepDatabase.NullableInt64(r, 12)));
}

/// <summary>A certificate the host issued.</summary>
public sealed record IssuedCertificateRecord(
    string Serial,
    string IssuerId,
    string Subject,
    string? Username,
    string? Alias,
    string? TransactionId,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset IssuedAt,
    byte[] Der,
    DateTimeOffset? RevokedAt = null,
    X509RevocationReason? RevocationReason = null)
{
    public static IssuedCertificateRecord From(IssuedDer certificate, string issuerId, string? username, string? alias, string? transactionId, DateTimeOffset issuedAt) => new(
        certificate.SerialNumber,
        issuerId,
        certificate.Subject,
        username,
        alias,
        transactionId,
        certificate.NotBefore,
        certificate.NotAfter,
        issuedAt,
        certificate.Der);
}

/// <summary>What became of a pending request.</summary>
public enum PendingState
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
}

/// <summary>An enrollment waiting for <c>approve</c> or <c>reject</c>.</summary>
public sealed record PendingRequestRecord(
    string Id,
    string Alias,
    string IssuerId,
    string TransactionId,
    string? Username,
    string Subject,
    byte[] SubjectDer,
    byte[] Csr,
    DateTimeOffset RequestedAt,
    PendingState State,
    string? Reason = null,
    string? CertificateSerial = null,
    DateTimeOffset? DecidedAt = null);

/// <summary>A CA's current CRL.</summary>
public sealed record StoredCrl(string IssuerId, long Number, long Revision, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, byte[] Der);

public enum RevocationResult
{
    Revoked,
    AlreadyRevoked,
    NotFound,
}
