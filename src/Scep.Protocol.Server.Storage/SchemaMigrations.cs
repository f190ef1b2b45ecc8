using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// The schema's versions, applied in order at start-up inside one write transaction (SQLite: <c>BEGIN IMMEDIATE</c>;
/// PostgreSQL: an advisory lock, so several instances starting at once migrate once). <c>schema_migrations</c> records
/// each applied version. A database from before versioning has today's tables and no <c>schema_migrations</c>: version 1
/// creates only what does not exist, so it is recorded as applied and the later versions follow. A database newer than
/// this code is refused. <c>{int}</c> and <c>{blob}</c> are the provider's types.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>One schema version: its statements, then an optional step in code.</summary>
    internal sealed record Migration(int Version, string Name, string[] Statements, Func<DbSession, CancellationToken, ValueTask>? Step = null);

    // Declared before All: static fields are initialized in textual order.
    /// <summary>Version 1: the schema as it was before versioning, created only where missing.</summary>
    private static readonly string[] Version1 =
    [
        """
        CREATE TABLE IF NOT EXISTS end_entities (
            username TEXT NOT NULL PRIMARY KEY,
            code_hash TEXT NULL,
            status {int} NOT NULL,
            subject_dn TEXT NULL,
            alias TEXT NULL,
            profile_data TEXT NOT NULL,
            status_changed_at {int} NOT NULL,
            created_at {int} NOT NULL,
            version {int} NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS scep_transactions (
            alias_key TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            state {int} NOT NULL,
            username TEXT NULL,
            created_at {int} NOT NULL,
            updated_at {int} NOT NULL,
            record TEXT NOT NULL,
            version {int} NOT NULL,
            PRIMARY KEY (alias_key, transaction_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS certificates (
            serial TEXT NOT NULL PRIMARY KEY,
            issuer_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            username TEXT NULL,
            alias TEXT NULL,
            transaction_id TEXT NULL,
            not_before {int} NOT NULL,
            not_after {int} NOT NULL,
            issued_at {int} NOT NULL,
            der {blob} NOT NULL,
            revoked_at {int} NULL,
            revocation_reason {int} NULL)
        """,
        "CREATE INDEX IF NOT EXISTS certificates_revoked ON certificates (issuer_id, revoked_at)",
        // FindIssuedAsync after a crash: by transaction, or by user since a reservation; without these a scan of every certificate.
        "CREATE INDEX IF NOT EXISTS certificates_transaction ON certificates (transaction_id)",
        "CREATE INDEX IF NOT EXISTS certificates_username ON certificates (username, issued_at)",
        """
        CREATE TABLE IF NOT EXISTS pending_requests (
            id TEXT NOT NULL PRIMARY KEY,
            alias TEXT NOT NULL,
            issuer_id TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            username TEXT NULL,
            subject TEXT NOT NULL,
            subject_der {blob} NOT NULL,
            csr {blob} NOT NULL,
            requested_at {int} NOT NULL,
            state {int} NOT NULL,
            reason TEXT NULL,
            certificate_serial TEXT NULL,
            decided_at {int} NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS crl_state (
            issuer_id TEXT NOT NULL PRIMARY KEY,
            crl_number {int} NOT NULL,
            revision {int} NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS crls (
            issuer_id TEXT NOT NULL PRIMARY KEY,
            crl_number {int} NOT NULL,
            revision {int} NOT NULL,
            this_update {int} NOT NULL,
            next_update {int} NOT NULL,
            der {blob} NOT NULL)
        """,
    ];

    internal static readonly Migration[] All =
    [
        new(1, "end entities, transactions, certificates, pending requests, CRLs", Version1),
        new(
            2,
            "enrollment code lockout and expiry; approval marker in the transaction record; the CA of an approval",
            [
                "ALTER TABLE end_entities ADD COLUMN failed_code_attempts {int} NOT NULL DEFAULT 0",
                "ALTER TABLE end_entities ADD COLUMN code_expires_at {int} NULL",
                // The CA that issues an approved request (0.1.0 had one CA name, 'default').
                "ALTER TABLE pending_requests ADD COLUMN ca_name TEXT NOT NULL DEFAULT 'default'",
                // The pipeline asks for a user's transaction awaiting approval only when a reservation is stale; only pending rows are indexed.
                "CREATE INDEX IF NOT EXISTS scep_transactions_pending ON scep_transactions (username) WHERE state = 2",
            ],
            RemoveApprovalMarkersAsync),
        new(
            3,
            "the audit log of administrative actions",
            [
                """
                CREATE TABLE IF NOT EXISTS audit_log (
                    id TEXT NOT NULL PRIMARY KEY,
                    at {int} NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NULL,
                    outcome {int} NOT NULL,
                    detail TEXT NULL)
                """,
                "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
            ]),
    ];

    /// <summary>The version this code writes.</summary>
    internal static int Latest => All[^1].Version;

    /// <summary>The <c>ProfileData</c> key the pipeline used to mark an entity awaiting approval, before version 2.</summary>
    internal const string LegacyApprovalMarker = "scep:awaiting-approval";

    internal static async ValueTask ApplyAsync(DbSession session, string integerType, string blobType, CancellationToken cancellationToken)
    {
        string Typed(string statement) => statement.Replace("{int}", integerType, StringComparison.Ordinal).Replace("{blob}", blobType, StringComparison.Ordinal);

        await session.ExecuteAsync(Typed("CREATE TABLE IF NOT EXISTS schema_migrations (version {int} NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at {int} NOT NULL)"), [], cancellationToken).ConfigureAwait(false);
        var applied = (await session.QueryAsync("SELECT version FROM schema_migrations", [], r => r.GetInt64(0), cancellationToken).ConfigureAwait(false)).DefaultIfEmpty(0).Max();
        if (applied > Latest)
        {
            throw new InvalidOperationException($"The database schema is version {applied}, newer than this version of the server knows ({Latest}); use a newer server.");
        }

        foreach (var migration in All.Where(m => m.Version > applied))
        {
            foreach (var statement in migration.Statements)
            {
                await session.ExecuteAsync(Typed(statement), [], cancellationToken).ConfigureAwait(false);
            }

            if (migration.Step is { } step)
            {
                await step(session, cancellationToken).ConfigureAwait(false);
            }

            await session.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)",
                [("version", (long)migration.Version), ("name", migration.Name), ("applied_at", TimeProvider.System.GetUtcNow().UtcTicks)],
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Version 2: the approval marker left the entity's profile data (it is the transaction record's now).</summary>
    private static async ValueTask RemoveApprovalMarkersAsync(DbSession session, CancellationToken cancellationToken)
    {
        var marked = await session.QueryAsync(
            "SELECT username, profile_data FROM end_entities WHERE profile_data LIKE @marker",
            [("marker", "%" + LegacyApprovalMarker + "%")],
            r => (Username: r.GetString(0), ProfileData: r.GetString(1)),
            cancellationToken).ConfigureAwait(false);
        foreach (var (username, json) in marked)
        {
            var profile = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
            if (profile.Remove(LegacyApprovalMarker))
            {
                await session.ExecuteAsync(
                    "UPDATE end_entities SET profile_data = @profile_data WHERE username = @username",
                    [("profile_data", JsonSerializer.Serialize(profile)), ("username", username)],
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
