using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.InMemory;

/// <summary>An <see cref="IEndEntityStore"/> in memory, for tests, samples and harnesses; not for production (nothing survives a restart).</summary>
public sealed class InMemoryEndEntityStore : IEndEntityStore
{
    private readonly Dictionary<string, EndEntity> _entities = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>All entities, a snapshot.</summary>
    public IReadOnlyList<EndEntity> Entities
    {
        get
        {
            lock (_lock)
            {
                return _entities.Values.ToList();
            }
        }
    }

    /// <summary>Registers an entity with status NEW and a one-time enrollment code (stored hashed).</summary>
    /// <param name="username">The username (the CN clients put in their requests).</param>
    /// <param name="enrollmentCode">The code clients send as challengePassword.</param>
    /// <param name="subjectDn">The DN to issue with; null uses the request's subject.</param>
    /// <param name="alias">Restricts the entity to one alias; null allows any.</param>
    /// <param name="codeExpiresAt">When the code stops working; null for never.</param>
    /// <returns>The entity.</returns>
    public EndEntity Add(string username, string enrollmentCode, string? subjectDn = null, string? alias = null, DateTimeOffset? codeExpiresAt = null)
    {
        var entity = new EndEntity
        {
            Username = username,
            EnrollmentCodeHash = EnrollmentCode.Hash(enrollmentCode),
            EnrollmentCodeExpiresAt = codeExpiresAt,
            SubjectDn = subjectDn,
            Alias = alias,
        };
        lock (_lock)
        {
            _entities[username] = entity;
        }

        return entity;
    }

    /// <inheritdoc />
    public ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_entities.GetValueOrDefault(username));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_lock)
        {
            return ValueTask.FromResult(_entities.TryAdd(entity.Username, entity with { Version = 0 }));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_lock)
        {
            if (!_entities.TryGetValue(entity.Username, out var current) || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _entities[entity.Username] = entity with { Version = expectedVersion + 1 };
            return ValueTask.FromResult(true);
        }
    }
}
