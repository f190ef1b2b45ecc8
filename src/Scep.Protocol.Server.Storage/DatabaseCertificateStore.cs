using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// <see cref="ICertificateStore"/> in the database: issued certificates (primary key: the serial number), revocations with
/// a per-CA revision, CRL numbers taken by <c>UPDATE ... RETURNING</c> (monotonic across instances), the current CRL of
/// each CA, and requests held for approval (an approval records its certificate in the same transaction).
/// </summary>
public sealed class DatabaseCertificateStore : ICertificateStore
{
    private const string CertificateColumns =
        "serial, issuer_id, subject, username, alias, transaction_id, not_before, not_after, issued_at, der, revoked_at, revocation_reason";

    private const string PendingColumns =
        "id, alias, issuer_id, transaction_id, username, subject, subject_der, csr, requested_at, state, reason, certificate_serial, decided_at, ca_name";

    private readonly ScepDatabase _database;

    /// <summary>Creates the store.</summary>
    /// <param name="database">The database.</param>
    public DatabaseCertificateStore(ScepDatabase database)
    {
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(IssuedCertificateRecord certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            await _database.ExecuteAsync(InsertCertificate, CertificateParameters(certificate), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException e) when (_database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<IssuedCertificateRecord?> FindAsync(string serialNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        var rows = await _database.QueryAsync($"SELECT {CertificateColumns} FROM certificates WHERE serial = @serial", [("serial", IssuingAuthority.NormalizeSerial(serialNumber))], ReadCertificate, cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            $"SELECT {CertificateColumns} FROM certificates WHERE transaction_id = @transaction AND LOWER(alias) = LOWER(@alias) ORDER BY issued_at DESC",
            [("transaction", transactionId), ("alias", alias)],
            ReadCertificate,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            $"SELECT {CertificateColumns} FROM certificates WHERE username = @username AND issued_at >= @since ORDER BY issued_at DESC",
            [("username", username), ("since", since.UtcTicks)],
            ReadCertificate,
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<(string, object?)> page = [("take", (long)Math.Max(query.Take, 0)), ("skip", (long)Math.Max(query.Skip, 0))];
        return query.Search is { Length: > 0 } search
            ? await _database.QueryAsync(
                $"SELECT {CertificateColumns} FROM certificates WHERE LOWER(subject) LIKE @pattern ESCAPE '\\' OR serial LIKE @prefix ESCAPE '\\' ORDER BY issued_at, serial LIMIT @take OFFSET @skip",
                [("pattern", "%" + Like(search.ToLowerInvariant()) + "%"), ("prefix", Like(search.ToUpperInvariant()) + "%"), .. page],
                ReadCertificate,
                cancellationToken).ConfigureAwait(false)
            : await _database.QueryAsync($"SELECT {CertificateColumns} FROM certificates ORDER BY issued_at, serial LIMIT @take OFFSET @skip", page, ReadCertificate, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        var serial = IssuingAuthority.NormalizeSerial(serialNumber);
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

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuerId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE issuer_id = @issuer AND revoked_at IS NOT NULL ORDER BY revoked_at",
            [("issuer", issuerId)],
            r => new RevokedCertificate(r.GetString(0), ScepDatabase.Time(r.GetInt64(1)), ScepDatabase.NullableInt64(r, 2) is { } reason ? (X509RevocationReason)reason : null),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<long> GetRevisionAsync(string issuerId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync("SELECT revision FROM crl_state WHERE issuer_id = @issuer", [("issuer", issuerId)], r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : rows[0];
    }

    /// <inheritdoc />
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

    /// <inheritdoc />
    public async ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            "SELECT crl_number, revision, this_update, next_update, der FROM crls WHERE issuer_id = @issuer",
            [("issuer", issuerId)],
            r => new StoredCrl(issuerId, r.GetInt64(0), r.GetInt64(1), ScepDatabase.Time(r.GetInt64(2)), ScepDatabase.Time(r.GetInt64(3)), (byte[])r.GetValue(4)),
            cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(crl);
        await _database.ExecuteAsync(
            """
            INSERT INTO crls (issuer_id, crl_number, revision, this_update, next_update, der)
            VALUES (@issuer, @number, @revision, @this_update, @next_update, @der)
            ON CONFLICT (issuer_id) DO UPDATE SET crl_number = excluded.crl_number, revision = excluded.revision,
                this_update = excluded.this_update, next_update = excluded.next_update, der = excluded.der
            WHERE crls.crl_number < excluded.crl_number
            """,
            [("issuer", crl.IssuerId), ("number", crl.Number), ("revision", crl.Revision), ("this_update", crl.ThisUpdate.UtcTicks), ("next_update", crl.NextUpdate.UtcTicks), ("der", crl.RawData)],
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask AddPendingAsync(PendingApproval pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        await _database.ExecuteAsync(
            $"""
            INSERT INTO pending_requests ({PendingColumns})
            VALUES (@id, @alias, @issuer, @transaction_id, @username, @subject, @subject_der, @csr, @requested_at, @state, @reason, @certificate_serial, @decided_at, @ca_name)
            """,
            [
                ("id", pending.Id), ("alias", pending.Alias), ("issuer", pending.IssuerId), ("transaction_id", pending.TransactionId),
                ("username", pending.Username), ("subject", pending.Subject), ("subject_der", pending.SubjectDer), ("csr", pending.Csr),
                ("requested_at", pending.RequestedAt.UtcTicks), ("state", (long)pending.State), ("reason", pending.Reason),
                ("certificate_serial", pending.CertificateSerial), ("decided_at", pending.DecidedAt?.UtcTicks), ("ca_name", pending.CaName),
            ],
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PendingApproval?> FindPendingAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync($"SELECT {PendingColumns} FROM pending_requests WHERE id = @id", [("id", id)], ReadPending, cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            $"SELECT {PendingColumns} FROM pending_requests WHERE state = @state ORDER BY requested_at",
            [("state", (long)ApprovalState.Pending)],
            ReadPending,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _database.InTransactionAsync(
            async session =>
            {
                var decided = await session.ExecuteAsync(
                    "UPDATE pending_requests SET state = @approved, certificate_serial = @serial, decided_at = @at WHERE id = @id AND state = @pending",
                    [("approved", (long)ApprovalState.Approved), ("serial", certificate.SerialNumber), ("at", at.UtcTicks), ("id", id), ("pending", (long)ApprovalState.Pending)],
                    cancellationToken).ConfigureAwait(false);
                if (decided == 0)
                {
                    return false;
                }

                await session.ExecuteAsync(InsertCertificate, CertificateParameters(certificate), cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> TryRejectAsync(string id, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _database.ExecuteAsync(
            "UPDATE pending_requests SET state = @rejected, reason = @reason, decided_at = @at WHERE id = @id AND state = @pending",
            [("rejected", (long)ApprovalState.Rejected), ("reason", reason), ("at", at.UtcTicks), ("id", id), ("pending", (long)ApprovalState.Pending)],
            cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>A LIKE pattern's literal text: the wildcards escaped (escaped with a backslash, the ESCAPE character of the statement).</summary>
    private static string Like(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private const string InsertCertificate =
        $"INSERT INTO certificates ({CertificateColumns}) VALUES (@serial, @issuer, @subject, @username, @alias, @transaction_id, @not_before, @not_after, @issued_at, @der, @revoked_at, @revocation_reason)";

    private static async ValueTask EnsureCrlStateAsync(DbSession session, string issuerId, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "INSERT INTO crl_state (issuer_id, crl_number, revision) VALUES (@issuer, 0, 0) ON CONFLICT (issuer_id) DO NOTHING",
            [("issuer", issuerId)],
            cancellationToken).ConfigureAwait(false);

    private static (string, object?)[] CertificateParameters(IssuedCertificateRecord c) =>
    [
        ("serial", c.SerialNumber), ("issuer", c.IssuerId), ("subject", c.Subject), ("username", c.Username), ("alias", c.Alias),
        ("transaction_id", c.TransactionId), ("not_before", c.NotBefore.UtcTicks), ("not_after", c.NotAfter.UtcTicks),
        ("issued_at", c.IssuedAt.UtcTicks), ("der", c.RawData), ("revoked_at", c.RevokedAt?.UtcTicks),
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

    private static PendingApproval ReadPending(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        ScepDatabase.NullableString(r, 4),
        r.GetString(5),
        (byte[])r.GetValue(6),
        (byte[])r.GetValue(7),
        ScepDatabase.Time(r.GetInt64(8)),
        (ApprovalState)r.GetInt64(9),
        ScepDatabase.NullableString(r, 10),
        ScepDatabase.NullableString(r, 11),
        ScepDatabase.Time(ScepDatabase.NullableInt64(r, 12)),
        r.GetString(13));
}
