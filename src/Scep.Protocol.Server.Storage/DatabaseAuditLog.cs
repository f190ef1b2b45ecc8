using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// The audit log of administrative actions, in table <c>audit_log</c> of the same database as the stores (schema
/// version 3). Append-only: nothing here updates or deletes an entry. Text fields are cut to bounded lengths, so a
/// hostile value cannot grow a row without limit.
/// </summary>
public sealed class DatabaseAuditLog
{
    /// <summary>The longest actor, action or target kept (longer values are cut).</summary>
    public const int MaxFieldLength = 256;

    /// <summary>The longest detail kept (longer values are cut).</summary>
    public const int MaxDetailLength = 1024;

    private const string Columns = "id, at, actor, action, target, outcome, detail";
    private static long s_lastTick;
    private readonly ScepDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the log.</summary>
    /// <param name="database">The database (initialized: <see cref="ScepDatabase.InitializeAsync"/>).</param>
    /// <param name="time">The clock that dates entries.</param>
    public DatabaseAuditLog(ScepDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
    }

    /// <summary>Appends an entry dated now.</summary>
    /// <param name="actor">Who.</param>
    /// <param name="action">What.</param>
    /// <param name="target">To which object, or null.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="detail">A short description, or null (never a secret).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The entry as stored.</returns>
    public async ValueTask<AuditEntry> AppendAsync(string actor, string action, string? target, AuditOutcome outcome, string? detail, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentException.ThrowIfNullOrEmpty(action);
        var at = _time.GetUtcNow();
        var entry = new AuditEntry
        {
            // A tick count first (fixed width) so ids sort by time, strictly increasing within this process even when
            // the clock stands still; 8 random bytes keep entries of other processes in the same tick apart.
            Id = string.Create(CultureInfo.InvariantCulture, $"{NextTick(at.UtcTicks):D19}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}"),
            At = at,
            Actor = Cut(actor, MaxFieldLength)!,
            Action = Cut(action, MaxFieldLength)!,
            Target = Cut(target, MaxFieldLength),
            Outcome = outcome,
            Detail = Cut(detail, MaxDetailLength),
        };
        await _database.ExecuteAsync(
            $"INSERT INTO audit_log ({Columns}) VALUES (@id, @at, @actor, @action, @target, @outcome, @detail)",
            [("id", entry.Id), ("at", at.UtcTicks), ("actor", entry.Actor), ("action", entry.Action), ("target", entry.Target), ("outcome", (long)outcome), ("detail", entry.Detail)],
            cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>The latest entries, newest first.</summary>
    /// <param name="take">How many (1 to 1,000).</param>
    /// <param name="before">Only entries older than this id (the last id of the previous page), or null.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The entries.</returns>
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(int take, string? before, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(take, 1000);
        var where = before is null ? string.Empty : "WHERE id < @before ";
        return await _database.QueryAsync(
            $"SELECT {Columns} FROM audit_log {where}ORDER BY id DESC LIMIT {take.ToString(CultureInfo.InvariantCulture)}",
            before is null ? [] : [("before", before)],
            Read,
            cancellationToken).ConfigureAwait(false);
    }

    private static long NextTick(long now)
    {
        while (true)
        {
            var last = Interlocked.Read(ref s_lastTick);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_lastTick, next, last) == last)
            {
                return next;
            }
        }
    }

    private static string? Cut(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private static AuditEntry Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        At = ScepDatabase.Time(reader.GetInt64(1)),
        Actor = reader.GetString(2),
        Action = reader.GetString(3),
        Target = ScepDatabase.NullableString(reader, 4),
        Outcome = (AuditOutcome)reader.GetInt64(5),
        Detail = ScepDatabase.NullableString(reader, 6),
    };
}
