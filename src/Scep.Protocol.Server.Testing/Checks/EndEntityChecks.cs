using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>
/// <see cref="IEndEntityStore"/>: found by the exact username, added once, updated by compare-and-swap on the version,
/// every field kept. The one-time code and the lockout counter rest on these.
/// </summary>
internal static class EndEntityChecks
{
    public static IEnumerable<ContractCheck> All =>
    [
        new("EndEntities_Find_IsByExactCaseSensitiveUsername", false, FindIsExactAsync),
        new("EndEntities_TryAdd_WithATakenUsername_FailsAndKeepsTheFirst", false, TryAddTakenAsync),
        new("EndEntities_EveryField_RoundTripsThroughTryAdd", false, RoundTripAddAsync),
        new("EndEntities_EveryField_RoundTripsThroughTryUpdate", false, RoundTripUpdateAsync),
        new("EndEntities_TryUpdate_FromTheStoredVersion_StoresVersionPlusOne", false, UpdateFromStoredVersionAsync),
        new("EndEntities_TryUpdate_WithAStaleVersion_FailsAndChangesNothing", false, UpdateStaleAsync),
        new("EndEntities_TryUpdate_OfAnUnknownUsername_FailsAndAddsNothing", false, UpdateUnknownAsync),
        new("EndEntities_FiftyConcurrentUpdatesFromOneVersion_ExactlyOneWins", false, ConcurrentUpdatesAsync),
        new("EndEntities_FiftyConcurrentIncrementsWithRetry_CountExactlyFifty", false, ConcurrentIncrementsAsync),
    ];

    private static async Task FindIsExactAsync(CheckContext c)
    {
        var upper = Samples.FullEntity("Device-1");
        var lower = Samples.BareEntity("device-1") with { SubjectDn = "CN=the lower-case one" };
        c.Expect(await c.Entities.TryAddAsync(upper, c.Cancellation), "TryAddAsync of a new username to return true", "false");
        c.Expect(await c.Entities.TryAddAsync(lower, c.Cancellation), "TryAddAsync of \"device-1\" to return true while \"Device-1\" exists (usernames are case-sensitive)", "false");

        Compare.Entity(c, upper, await c.Entities.FindAsync("Device-1", c.Cancellation), 0, "FindAsync(\"Device-1\") to return the entity added as \"Device-1\"");
        Compare.Entity(c, lower, await c.Entities.FindAsync("device-1", c.Cancellation), 0, "FindAsync(\"device-1\") to return the entity added as \"device-1\"");
        foreach (var other in new[] { "DEVICE-1", "Device-", "Device-1 ", " Device-1", "Device-10", "unknown" })
        {
            var found = await c.Entities.FindAsync(other, c.Cancellation);
            c.Expect(found is null, $"FindAsync({Show.Value(other)}) to return null (only exact usernames match)", Show.Entity(found));
        }
    }

    private static async Task TryAddTakenAsync(CheckContext c)
    {
        var first = Samples.FullEntity("device-1");
        await AddAsync(c, first);

        var second = Samples.BareEntity("device-1") with { Status = EndEntityStatus.Generated, SubjectDn = "CN=second" };
        c.Expect(!await c.Entities.TryAddAsync(second, c.Cancellation), "TryAddAsync of a taken username to return false", "true");
        Compare.Entity(c, first, await c.Entities.FindAsync("device-1", c.Cancellation), 0, "the first entity unchanged after a refused TryAddAsync");
    }

    private static async Task RoundTripAddAsync(CheckContext c)
    {
        var full = Samples.FullEntity("dévice-ü-1");
        var bare = Samples.BareEntity("device-2");
        await AddAsync(c, full);
        await AddAsync(c, bare);

        Compare.Entity(c, full, await c.Entities.FindAsync(full.Username, c.Cancellation), 0, "every field of an entity added with every field set, version 0");
        Compare.Entity(c, bare, await c.Entities.FindAsync(bare.Username, c.Cancellation), 0, "an entity added with only its username to come back with nulls, no profile data and version 0");
    }

    private static async Task RoundTripUpdateAsync(CheckContext c)
    {
        var bare = Samples.BareEntity("device-1");
        await AddAsync(c, bare);
        var full = Samples.FullEntity("device-1") with { Status = EndEntityStatus.InProcess, FailedCodeAttempts = 9 };
        await UpdateAsync(c, full, 0);
        Compare.Entity(c, full, await c.Entities.FindAsync("device-1", c.Cancellation), 1, "every field as TryUpdateAsync wrote it, version 1");

        var cleared = bare with { StatusChangedAt = Samples.FineTime.AddSeconds(1) };
        await UpdateAsync(c, cleared, 1);
        Compare.Entity(c, cleared, await c.Entities.FindAsync("device-1", c.Cancellation), 2, "TryUpdateAsync to clear the fields it was given as null or empty (code hash, DN, alias, expiry, profile data), version 2");

        var version = 2L;
        foreach (var status in Enum.GetValues<EndEntityStatus>())
        {
            var next = full with { Status = status };
            await UpdateAsync(c, next, version++);
            Compare.Entity(c, next, await c.Entities.FindAsync("device-1", c.Cancellation), version, $"status {status} ({(int)status}) to round-trip");
        }
    }

    private static async Task UpdateFromStoredVersionAsync(CheckContext c)
    {
        var entity = Samples.FullEntity("device-1");
        await AddAsync(c, entity);

        // As the pipeline calls it: the new state carries the version it will have.
        var reserved = entity with { Status = EndEntityStatus.InProcess, Version = 1 };
        c.Expect(await c.Entities.TryUpdateAsync(reserved, 0, c.Cancellation), "TryUpdateAsync from the stored version 0 to return true", "false");
        Compare.Entity(c, reserved, await c.Entities.FindAsync("device-1", c.Cancellation), 1, "the update stored with version 1");

        // The contract: the stored copy gets expectedVersion + 1, whatever Version the new state carries.
        var generated = reserved with { Status = EndEntityStatus.Generated };
        c.Expect(await c.Entities.TryUpdateAsync(generated, 1, c.Cancellation), "TryUpdateAsync from the stored version 1 to return true", "false");
        Compare.Entity(c, generated, await c.Entities.FindAsync("device-1", c.Cancellation), 2, "the stored version to be expectedVersion + 1 = 2 (not the Version of the entity passed in, 1)");
    }

    private static async Task UpdateStaleAsync(CheckContext c)
    {
        var entity = Samples.FullEntity("device-1");
        await AddAsync(c, entity);
        var current = entity with { Status = EndEntityStatus.InProcess, Version = 1 };
        await UpdateAsync(c, current, 0);

        foreach (var stale in new long[] { 0, 2, 7 })
        {
            var overwrite = entity with { Status = EndEntityStatus.Generated, SubjectDn = "CN=lost update", FailedCodeAttempts = 0, Version = stale + 1 };
            c.Expect(!await c.Entities.TryUpdateAsync(overwrite, stale, c.Cancellation), $"TryUpdateAsync with expected version {stale} to return false while the stored version is 1", "true");
            Compare.Entity(c, current, await c.Entities.FindAsync("device-1", c.Cancellation), 1, $"nothing changed by the refused update from version {stale}");
        }
    }

    private static async Task UpdateUnknownAsync(CheckContext c)
    {
        var ghost = Samples.FullEntity("device-1") with { Version = 1 };
        c.Expect(!await c.Entities.TryUpdateAsync(ghost, 0, c.Cancellation), "TryUpdateAsync of a username that does not exist to return false", "true");
        var found = await c.Entities.FindAsync("device-1", c.Cancellation);
        c.Expect(found is null, "no entity after a refused TryUpdateAsync (an update is not an insert)", Show.Entity(found));
    }

    private static async Task ConcurrentUpdatesAsync(CheckContext c)
    {
        var entity = Samples.FullEntity("device-1");
        await AddAsync(c, entity);

        var won = await Concurrently.RunAsync(Concurrently.Callers, async i =>
            await c.Entities.TryUpdateAsync(entity with { Status = EndEntityStatus.InProcess, SubjectDn = $"CN=caller {i}", Version = 1 }, 0, c.Cancellation));

        var winners = won.Select((w, i) => (w, i)).Where(p => p.w).Select(p => p.i).ToList();
        c.Expect(winners.Count == 1, $"exactly one of {Concurrently.Callers} concurrent TryUpdateAsync from version 0 to return true", $"{winners.Count} did");
        var stored = await c.Entities.FindAsync("device-1", c.Cancellation);
        Compare.Entity(c, entity with { Status = EndEntityStatus.InProcess, SubjectDn = $"CN=caller {winners[0]}" }, stored, 1, "the winner's update stored, with version 1");
    }

    private static async Task ConcurrentIncrementsAsync(CheckContext c)
    {
        await AddAsync(c, Samples.BareEntity("device-1"));

        // As the lockout counter counts wrong codes: read, add one, compare-and-swap, again until it lands.
        await Concurrently.RunAsync(Concurrently.Callers, async _ =>
        {
            for (var attempt = 0; attempt < 100 * Concurrently.Callers; attempt++)
            {
                var current = await c.Entities.FindAsync("device-1", c.Cancellation)
                    ?? throw c.Broken("the entity to stay found while it is updated", "FindAsync returned null");
                var counted = current with { FailedCodeAttempts = current.FailedCodeAttempts + 1, Version = current.Version + 1 };
                if (await c.Entities.TryUpdateAsync(counted, current.Version, c.Cancellation))
                {
                    return true;
                }
            }

            throw c.Broken("a compare-and-swap from the version just read to succeed within a few thousand retries", "it never did");
        });

        var stored = await c.Entities.FindAsync("device-1", c.Cancellation);
        c.Expect(
            stored is { FailedCodeAttempts: Concurrently.Callers, Version: Concurrently.Callers },
            $"{Concurrently.Callers} concurrent increments with a retry loop to count {Concurrently.Callers}, version {Concurrently.Callers}",
            stored is null ? "null" : $"FailedCodeAttempts {stored.FailedCodeAttempts}, version {stored.Version}");
    }

    private static async Task AddAsync(CheckContext c, EndEntity entity) =>
        c.Expect(await c.Entities.TryAddAsync(entity, c.Cancellation), $"TryAddAsync of a new entity {Show.Value(entity.Username)} to return true", "false");

    private static async Task UpdateAsync(CheckContext c, EndEntity entity, long expectedVersion) =>
        c.Expect(
            await c.Entities.TryUpdateAsync(entity with { Version = expectedVersion + 1 }, expectedVersion, c.Cancellation),
            $"TryUpdateAsync from the stored version {expectedVersion} to return true",
            "false");
}
