using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>End entities in the database, with compare-and-swap updates on <see cref="EndEntity.Version"/>.</summary>
public sealed class DatabaseEndEntityStore : IEndEntityStore
{
    private const string Columns = "username, code_hash, status, subject_dn, alias, profile_data, status_changed_at, failed_code_attempts, code_expires_at, version";
    private readonly ScepDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the store.</summary>
    /// <param name="database">The database.</param>
    /// <param name="time">The clock (an entity's creation time).</param>
    public DatabaseEndEntityStore(ScepDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        var rows = await _database.QueryAsync($"SELECT {Columns} FROM end_entities WHERE username = @username", [("username", username)], Read, cancellationToken).ConfigureAwait(false);
        return rows.FirstOrDefault();
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var added = await _database.ExecuteAsync(
            $"INSERT INTO end_entities ({Columns}, created_at) VALUES (@username, @code_hash, @status, @subject_dn, @alias, @profile_data, @status_changed_at, @failed_code_attempts, @code_expires_at, 0, @created_at) ON CONFLICT (username) DO NOTHING",
            [.. Parameters(entity), ("created_at", _time.GetUtcNow().UtcTicks)],
            cancellationToken).ConfigureAwait(false);
        return added == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var updated = await _database.ExecuteAsync(
            """
            UPDATE end_entities SET code_hash = @code_hash, status = @status, subject_dn = @subject_dn, alias = @alias,
                profile_data = @profile_data, status_changed_at = @status_changed_at, failed_code_attempts = @failed_code_attempts,
                code_expires_at = @code_expires_at, version = @expected + 1
            WHERE username = @username AND version = @expected
            """,
            [.. Parameters(entity), ("expected", expectedVersion)],
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>
    /// Registers an entity with status NEW and a one-time code (stored hashed), or re-registers an existing one:
    /// new code, DN and alias, status NEW again, version bumped (so a request holding the old version loses).
    /// </summary>
    /// <returns>True when the entity is new.</returns>
    public ValueTask<bool> RegisterAsync(string username, string enrollmentCode, string? subjectDn, string? alias, CancellationToken cancellationToken) =>
        RegisterAsync(username, enrollmentCode, subjectDn, alias, null, cancellationToken);

    /// <summary>As <see cref="RegisterAsync(string, string, string?, string?, CancellationToken)"/>, with a code that stops working at <paramref name="codeExpiresAt"/>.</summary>
    /// <returns>True when the entity is new.</returns>
    public async ValueTask<bool> RegisterAsync(string username, string enrollmentCode, string? subjectDn, string? alias, DateTimeOffset? codeExpiresAt, CancellationToken cancellationToken)
    {
        var entity = new EndEntity
        {
            Username = username,
            EnrollmentCodeHash = EnrollmentCode.Hash(enrollmentCode),
            EnrollmentCodeExpiresAt = codeExpiresAt,
            Status = EndEntityStatus.New,
            SubjectDn = subjectDn,
            Alias = alias,
            StatusChangedAt = _time.GetUtcNow(),
        };
        if (await TryAddAsync(entity, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        await _database.ExecuteAsync(
            """
            UPDATE end_entities SET code_hash = @code_hash, status = @status, subject_dn = @subject_dn, alias = @alias,
                status_changed_at = @status_changed_at, failed_code_attempts = @failed_code_attempts, code_expires_at = @code_expires_at,
                version = version + 1
            WHERE username = @username
            """,
            Parameters(entity),
            cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>All entities, by username.</summary>
    public async ValueTask<IReadOnlyList<EndEntity>> ListAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync($"SELECT {Columns} FROM end_entities ORDER BY username", [], Read, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes an end entity (its certificates stay on record); a request holding it then finds no entity.</summary>
    /// <param name="username">The username (exact).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when there was none.</returns>
    public async ValueTask<bool> DeleteAsync(string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        return await _database.ExecuteAsync("DELETE FROM end_entities WHERE username = @username", [("username", username)], cancellationToken).ConfigureAwait(false) == 1;
    }

    private static (string, object?)[] Parameters(EndEntity entity) =>
    [
        ("username", entity.Username),
        ("code_hash", entity.EnrollmentCodeHash),
        ("status", (long)entity.Status),
        ("subject_dn", entity.SubjectDn),
        ("alias", entity.Alias),
        ("profile_data", JsonSerializer.Serialize(entity.ProfileData)),
        ("status_changed_at", entity.StatusChangedAt.UtcTicks),
        ("failed_code_attempts", (long)entity.FailedCodeAttempts),
        ("code_expires_at", entity.EnrollmentCodeExpiresAt?.UtcTicks),
    ];

    private static EndEntity Read(DbDataReader reader) => new()
    {
        Username = reader.GetString(0),
        EnrollmentCodeHash = ScepDatabase.NullableString(reader, 1),
        Status = (EndEntityStatus)reader.GetInt64(2),
        SubjectDn = ScepDatabase.NullableString(reader, 3),
        Alias = ScepDatabase.NullableString(reader, 4),
        ProfileData = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(5)) ?? [],
        StatusChangedAt = ScepDatabase.Time(reader.GetInt64(6)),
        FailedCodeAttempts = (int)reader.GetInt64(7),
        EnrollmentCodeExpiresAt = ScepDatabase.Time(ScepDatabase.NullableInt64(reader, 8)),
        Version = reader.GetInt64(9),
    };
}
