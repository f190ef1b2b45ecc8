using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// The CA keys of the data folder, as the pipeline's <see cref="IScepCredentialProvider"/>: the current CA
/// (<c>ca.p12</c>) and, after <c>rollover-ca</c>, the next one (<c>next-ca.p12</c>). The files are checked on each
/// request (by timestamp and length) and reloaded when they change, so a running server starts answering
/// GetNextCACert as soon as an admin command writes the next CA.
/// </summary>
public sealed class CaKeyRing : IScepCredentialProvider
{
    /// <summary>The CA name aliases use (<c>Scep:Aliases:{name}:CaName</c>).</summary>
    public const string CaName = "default";

    private readonly CaBootstrap _bootstrap;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Snapshot? _snapshot;

    public CaKeyRing(CaBootstrap bootstrap, TimeProvider time)
    {
        _bootstrap = bootstrap;
        _time = time;
    }

    /// <summary>Whether the first load created the CA.</summary>
    public bool CreatedCa { get; private set; }

    public CaKey Current => Load().Current;

    public CaKey? Next => Load().Next;

    /// <summary>The current and the next CA, read together.</summary>
    public (CaKey Current, CaKey? Next) CurrentAndNext()
    {
        var snapshot = Load();
        return (snapshot.Current, snapshot.Next);
    }

    /// <summary>The current or next CA whose certificate has this id (<see cref="CaKey.Id"/>).</summary>
    public CaKey? Find(string id)
    {
        var snapshot = Load();
        return snapshot.Current.Id.Equals(id, StringComparison.OrdinalIgnoreCase) ? snapshot.Current
            : snapshot.Next is { } next && next.Id.Equals(id, StringComparison.OrdinalIgnoreCase) ? next
            : null;
    }

    /// <summary>Creates the next CA (rollover) unless one exists.</summary>
    public CaKey? CreateNext()
    {
        Load();
        return _bootstrap.CreateNext(_time);
    }

    public ValueTask<ScepCaCredentials?> GetCredentialsAsync(string caName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(string.Equals(caName, CaName, StringComparison.OrdinalIgnoreCase) ? Load().Credentials : null);

    private Snapshot Load()
    {
        var stamp = (Stamp(_bootstrap.CaPath), Stamp(_bootstrap.NextCaPath));
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && snapshot.Stamp == stamp)
        {
            return snapshot;
        }

        lock (_lock)
        {
            if (_snapshot is not null && _snapshot.Stamp == stamp)
            {
                return _snapshot;
            }

            var current = _bootstrap.LoadOrCreate(_time, out var created);
            CreatedCa |= created;
            var next = _bootstrap.LoadNext();
            var credentials = current.ToCredentials();
            if (next is not null)
            {
                var forNext = next.ToCredentials();
                credentials = new ScepCaCredentials
                {
                    CaCertificate = credentials.CaCertificate,
                    DecryptionCertificate = credentials.DecryptionCertificate,
                    DecryptionKey = credentials.DecryptionKey,
                    SigningCertificate = credentials.SigningCertificate,
                    SigningKey = credentials.SigningKey,
                    CaKey = credentials.CaKey,
                    Next = forNext,
                };
            }

            // Re-read the stamps: LoadOrCreate may just have written ca.p12.
            _snapshot = new Snapshot((Stamp(_bootstrap.CaPath), Stamp(_bootstrap.NextCaPath)), current, next, credentials);
            return _snapshot;
        }
    }

    private static (long Ticks, long Length) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc.Ticks, info.Length) : (0, -1);
    }

    private sealed record Snapshot(((long, long), (long, long)) Stamp, CaKey Current, CaKey? Next, ScepCaCredentials Credentials);
}
