using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>The fields a store read back differently from how they were written.</summary>
internal sealed class Differences(TimeSpan precision)
{
    private readonly List<string> _fields = [];

    public bool Any => _fields.Count > 0;

    public Differences Value<T>(string field, T written, T read)
    {
        if (!EqualityComparer<T>.Default.Equals(written, read))
        {
            Add(field, written, read);
        }

        return this;
    }

    public Differences Time(string field, DateTimeOffset written, DateTimeOffset read)
    {
        if ((written - read).Duration() >= precision)
        {
            Add(field, written, read);
        }

        return this;
    }

    public Differences Time(string field, DateTimeOffset? written, DateTimeOffset? read)
    {
        if (written is null || read is null)
        {
            return written is null && read is null ? this : Add(field, written, read);
        }

        return Time(field, written.Value, read.Value);
    }

    public Differences Bytes(string field, byte[]? written, byte[]? read)
    {
        if (written is null || read is null)
        {
            return written is null && read is null ? this : Add(field, written, read);
        }

        if (!written.AsSpan().SequenceEqual(read))
        {
            _fields.Add(read.Length == written.Length ? $"{field}: {read.Length} bytes, not the ones written" : $"{field}: {read.Length} bytes instead of {written.Length}");
        }

        return this;
    }

    public Differences Map(string field, IReadOnlyDictionary<string, string> written, IReadOnlyDictionary<string, string>? read)
    {
        if (read is null || read.Count != written.Count || written.Any(p => !read.TryGetValue(p.Key, out var value) || value != p.Value))
        {
            Add(field, written, read);
        }

        return this;
    }

    /// <summary>Throws when any field differs.</summary>
    public void ThrowIfAny(CheckContext context, string expected)
    {
        if (Any)
        {
            throw context.Broken(expected, string.Join("; ", _fields));
        }
    }

    private Differences Add(string field, object? written, object? read)
    {
        _fields.Add($"{field} {Show.Value(read)} instead of {Show.Value(written)}");
        return this;
    }
}
