using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Scep.Protocol.AspNetCore;

/// <summary>
/// NDES's one-time enrollment passwords, kept as SHA-256 digests in this process's memory: random (8 bytes, shown as 16
/// upper-case hex digits, like NDES's default PasswordLength), valid for a while, single use, and at most a fixed number
/// outstanding. Like NDES's own cache they do not survive a restart and are not shared between instances: run one
/// instance, or route the admin page and the SCEP URL of a device to the same one. Thread-safe.
/// </summary>
public sealed class NdesPasswordCache
{
    private const int PasswordBytes = 8;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _validity;
    private readonly int _max;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="validity">How long a password may be used.</param>
    /// <param name="max">How many unused passwords may be outstanding.</param>
    /// <param name="time">The clock.</param>
    public NdesPasswordCache(TimeSpan validity, int max, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentNullException.ThrowIfNull(time);
        _validity = validity;
        _max = max;
        _time = time;
    }

    /// <summary>How many passwords are handed out, unused and unexpired.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetUtcNow());
                return CountUnused();
            }
        }
    }

    /// <summary>Makes a new password, or returns null when <c>max</c> are outstanding (NDES: "The password cache is full.").</summary>
    /// <returns>The password (show it once; only its digest is kept), or null.</returns>
    public string? TryIssue()
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(PasswordBytes));
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Prune(now);
            if (CountUnused() >= _max)
            {
                return null;
            }

            _entries[Digest(password)] = new Entry(now + _validity);
        }

        return password;
    }

    /// <summary>
    /// Spends a password, atomically: of two requests with one password exactly one gets true. The spender that spent
    /// it may spend it again until it expires (a client's re-sent copy of the same request, which the pipeline validates
    /// again when its earlier attempt was rejected or raced).
    /// </summary>
    /// <param name="password">The challengePassword the request carries.</param>
    /// <param name="spender">Who spends it: the request's transactionID and requester key.</param>
    /// <returns>True when the password is valid for this spender.</returns>
    public bool TryConsume(string? password, string spender)
    {
        ArgumentNullException.ThrowIfNull(spender);
        if (string.IsNullOrEmpty(password) || password.Length > 256)
        {
            return false;
        }

        // Looked up by the SHA-256 digest: the stored value is never the password, and the dictionary's comparison
        // of digests tells nothing about the password.
        var key = Digest(password);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Prune(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                return false;
            }

            if (entry.ConsumedBy is null)
            {
                entry.ConsumedBy = spender;
                return true;
            }

            return string.Equals(entry.ConsumedBy, spender, StringComparison.Ordinal);
        }
    }

    private static string Digest(string password) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password.Trim().ToUpperInvariant())));

    private int CountUnused()
    {
        var count = 0;
        foreach (var entry in _entries.Values)
        {
            count += entry.ConsumedBy is null ? 1 : 0;
        }

        return count;
    }

    /// <summary>Drops expired passwords, used or not (PasswordValidity counts from the handout).</summary>
    private void Prune(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                (expired ??= []).Add(key);
            }
        }

        foreach (var key in expired ?? [])
        {
            _entries.Remove(key);
        }
    }

    private sealed class Entry(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public string? ConsumedBy { get; set; }
    }
}
