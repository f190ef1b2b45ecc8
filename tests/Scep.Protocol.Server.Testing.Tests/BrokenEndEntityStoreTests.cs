using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>End entity stores that break one rule fail the check named for it, saying what was expected and what was found.</summary>
public class BrokenEndEntityStoreTests
{
    /// <summary>Updates whenever the entity exists: no compare-and-swap.</summary>
    private sealed class VersionIgnoringStore : DelegatingEndEntityStore
    {
        public override async ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken) =>
            await Inner.FindAsync(entity.Username, cancellationToken) is { } current && await Inner.TryUpdateAsync(entity, current.Version, cancellationToken);
    }

    /// <summary>Finds usernames case-insensitively (a database column with a case-insensitive collation).</summary>
    private sealed class CaseInsensitiveStore : DelegatingEndEntityStore
    {
        public override async ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken) =>
            await Inner.FindAsync(username, cancellationToken) ?? Inner.Entities.FirstOrDefault(e => string.Equals(e.Username, username, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>An UPDATE that forgets one column: the wrong-code count stays as it was added.</summary>
    private sealed class CountForgettingStore : DelegatingEndEntityStore
    {
        public override async ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken) =>
            await Inner.FindAsync(entity.Username, cancellationToken) is { } current
            && await Inner.TryUpdateAsync(entity with { FailedCodeAttempts = current.FailedCodeAttempts }, expectedVersion, cancellationToken);
    }

    /// <summary>Keeps times to the millisecond (a database column of that precision).</summary>
    private sealed class MillisecondStore : DelegatingEndEntityStore
    {
        public override ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken) => Inner.TryAddAsync(Truncate(entity), cancellationToken);

        public override ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken) => Inner.TryUpdateAsync(Truncate(entity), expectedVersion, cancellationToken);

        private static EndEntity Truncate(EndEntity e) => e with
        {
            StatusChangedAt = Milliseconds(e.StatusChangedAt),
            EnrollmentCodeExpiresAt = e.EnrollmentCodeExpiresAt is { } t ? Milliseconds(t) : null,
        };

        private static DateTimeOffset Milliseconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>A store of its own that writes the Version of the entity it is given instead of expectedVersion + 1, and adds on update.</summary>
    private sealed class HandWrittenStore(bool versionFromEntity = false, bool upsert = false) : IEndEntityStore
    {
        private readonly Dictionary<string, EndEntity> _entities = new(StringComparer.Ordinal);

        public ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
        {
            lock (_entities)
            {
                return ValueTask.FromResult(_entities.GetValueOrDefault(username));
            }
        }

        public ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken)
        {
            lock (_entities)
            {
                return ValueTask.FromResult(_entities.TryAdd(entity.Username, entity with { Version = 0 }));
            }
        }

        public ValueTask<bool> TryUpdateAsync(EndEntity entity, long expectedVersion, CancellationToken cancellationToken)
        {
            lock (_entities)
            {
                var exists = _entities.TryGetValue(entity.Username, out var current);
                if ((exists && current!.Version != expectedVersion) || (!exists && !upsert))
                {
                    return ValueTask.FromResult(false);
                }

                _entities[entity.Username] = versionFromEntity ? entity : entity with { Version = expectedVersion + 1 };
                return ValueTask.FromResult(true);
            }
        }
    }

    /// <summary>A contract whose every check gets a fresh store from <paramref name="create"/>.</summary>
    private static ContractOver Over(Func<IEndEntityStore> create, TimeSpan? precision = null) => new(() => Stores.With(entities: create()), precision);

    [Test]
    public async Task TryUpdateThatIgnoresTheVersion_FailsTheStaleVersionCheck()
    {
        var failure = await Over(() => new VersionIgnoringStore()).FailsAsync("EndEntities_TryUpdate_WithAStaleVersion_FailsAndChangesNothing");

        failure.Expected.Should().Be("TryUpdateAsync with expected version 0 to return false while the stored version is 1");
        failure.Found.Should().Be("true");
    }

    [Test]
    public async Task TryUpdateThatIgnoresTheVersion_FailsTheConcurrencyCheck_AndPassesTheLookupCheck()
    {
        var contract = Over(() => new VersionIgnoringStore());

        var failure = await contract.FailsAsync("EndEntities_FiftyConcurrentUpdatesFromOneVersion_ExactlyOneWins");
        await contract.PassesAsync("EndEntities_Find_IsByExactCaseSensitiveUsername");

        failure.Found.Should().MatchRegex("^([2-9]|[1-4][0-9]|50) did$", "more than one of the 50 updates lands when the version is ignored");
    }

    [Test]
    public async Task CaseInsensitiveUsernames_FailTheExactLookupCheck()
    {
        var failure = await Over(() => new CaseInsensitiveStore()).FailsAsync("EndEntities_Find_IsByExactCaseSensitiveUsername");

        failure.Expected.Should().Be("FindAsync(\"DEVICE-1\") to return null (only exact usernames match)");
        failure.Found.Should().StartWith("entity \"Device-1\"");
    }

    [Test]
    public async Task UpdateThatForgetsAField_FailsTheUpdateRoundTripNamingTheField()
    {
        var contract = Over(() => new CountForgettingStore());

        var failure = await contract.FailsAsync("EndEntities_EveryField_RoundTripsThroughTryUpdate");
        await contract.PassesAsync("EndEntities_EveryField_RoundTripsThroughTryAdd");

        failure.Found.Should().Be("FailedCodeAttempts 0 instead of 9");
    }

    [Test]
    public async Task UpdateThatForgetsTheCount_FailsTheLockoutCounterCheck()
    {
        var failure = await Over(() => new CountForgettingStore()).FailsAsync("EndEntities_FiftyConcurrentIncrementsWithRetry_CountExactlyFifty");

        failure.Found.Should().Be("FailedCodeAttempts 0, version 50");
    }

    [Test]
    public async Task TimesKeptToTheMillisecond_FailTheRoundTrip_UnlessTheFixtureDeclaresThatPrecision()
    {
        var failure = await Over(() => new MillisecondStore()).FailsAsync("EndEntities_EveryField_RoundTripsThroughTryAdd");
        await Over(() => new MillisecondStore(), precision: TimeSpan.FromMilliseconds(1)).PassesAsync("EndEntities_EveryField_RoundTripsThroughTryAdd");

        failure.Found.Should().Be(
            "StatusChangedAt 2026-06-01T12:00:00.1230000+00:00 instead of 2026-06-01T12:00:00.1234567+00:00; "
            + "EnrollmentCodeExpiresAt 2026-06-08T12:00:00.1230000+00:00 instead of 2026-06-08T12:00:00.1234656+00:00");
    }

    [Test]
    public async Task VersionTakenFromTheEntityPassedIn_FailsTheVersionPlusOneCheck()
    {
        var failure = await Over(() => new HandWrittenStore(versionFromEntity: true)).FailsAsync("EndEntities_TryUpdate_FromTheStoredVersion_StoresVersionPlusOne");

        failure.Expected.Should().Contain("expectedVersion + 1 = 2");
        failure.Found.Should().Be("Version 1 instead of 2");
    }

    [Test]
    public async Task UpdateThatInsertsAMissingEntity_FailsTheUnknownUsernameCheck()
    {
        var failure = await Over(() => new HandWrittenStore(upsert: true)).FailsAsync("EndEntities_TryUpdate_OfAnUnknownUsername_FailsAndAddsNothing");

        failure.Expected.Should().Be("TryUpdateAsync of a username that does not exist to return false");
    }

    [Test]
    public async Task HandWrittenStoreThatKeepsTheRules_PassesEveryEndEntityCheck()
    {
        var contract = Over(() => new HandWrittenStore());

        foreach (var check in ScepStoreContract.CheckNames.Where(n => n.StartsWith("EndEntities_", StringComparison.Ordinal)))
        {
            await contract.PassesAsync(check);
        }
    }
}
