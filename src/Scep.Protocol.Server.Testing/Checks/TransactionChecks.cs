using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>
/// <see cref="IScepTransactionStore"/>: keyed by the alias (case-insensitive) and the transactionID (exact), added once,
/// updated by compare-and-swap, every field kept, and the query that keeps an approval's reservation from going stale.
/// </summary>
internal static class TransactionChecks
{
    public static IEnumerable<ContractCheck> All =>
    [
        new("Transactions_Find_IsByCaseInsensitiveAliasAndExactTransactionId", false, FindIsByKeyAsync),
        new("Transactions_TryAdd_WithATakenAliasAndTransactionId_FailsAndKeepsTheFirst", false, TryAddTakenAsync),
        new("Transactions_EveryField_RoundTripsThroughTryAdd", false, RoundTripAddAsync),
        new("Transactions_EveryField_RoundTripsThroughTryUpdate", false, RoundTripUpdateAsync),
        new("Transactions_TryUpdate_FromTheStoredVersion_StoresVersionPlusOne", false, UpdateFromStoredVersionAsync),
        new("Transactions_TryUpdate_WithAStaleVersion_FailsAndChangesNothing", false, UpdateStaleAsync),
        new("Transactions_TryUpdate_OfAnUnknownTransaction_FailsAndAddsNothing", false, UpdateUnknownAsync),
        new("Transactions_FindAwaitingApproval_ReturnsOnlyTheUsersTransactionPendingApproval", false, FindAwaitingApprovalAsync),
        new("Transactions_FiftyConcurrentAddsOfOneKey_ExactlyOneWins", false, ConcurrentAddsAsync),
        new("Transactions_FiftyConcurrentUpdatesFromOneVersion_ExactlyOneWins", false, ConcurrentUpdatesAsync),
    ];

    private static async Task FindIsByKeyAsync(CheckContext c)
    {
        var scep = Samples.FullTransaction("scep", "TxId-1");
        var ra = Samples.BareTransaction("ra", "TxId-1");
        await AddAsync(c, scep);
        await AddAsync(c, ra);

        foreach (var alias in new[] { "scep", "SCEP", "Scep" })
        {
            Compare.Transaction(c, scep, await c.Transactions.FindAsync(alias, "TxId-1", c.Cancellation), 0, $"FindAsync({Show.Value(alias)}, \"TxId-1\") to return the transaction added as \"scep\"/\"TxId-1\" (aliases are case-insensitive)");
        }

        Compare.Transaction(c, ra, await c.Transactions.FindAsync("RA", "TxId-1", c.Cancellation), 0, "FindAsync(\"RA\", \"TxId-1\") to return the other alias's transaction with the same transactionID");
        foreach (var (alias, transactionId) in new[] { ("scep", "txid-1"), ("scep", "TXID-1"), ("scep", "TxId-"), ("scep", "TxId-1 "), ("scep", "TxId-10"), ("sce", "TxId-1"), ("other", "TxId-1") })
        {
            var found = await c.Transactions.FindAsync(alias, transactionId, c.Cancellation);
            c.Expect(found is null, $"FindAsync({Show.Value(alias)}, {Show.Value(transactionId)}) to return null (transactionIDs match exactly)", Show.Transaction(found));
        }
    }

    private static async Task TryAddTakenAsync(CheckContext c)
    {
        var first = Samples.FullTransaction("scep", "tx-1");
        await AddAsync(c, first);

        foreach (var alias in new[] { "scep", "SCEP" })
        {
            var second = Samples.BareTransaction(alias, "tx-1", state: ScepTransactionState.Rejected);
            c.Expect(!await c.Transactions.TryAddAsync(second, c.Cancellation), $"TryAddAsync of {Show.Value(alias)}/\"tx-1\" to return false while \"scep\"/\"tx-1\" exists", "true");
        }

        Compare.Transaction(c, first, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 0, "the first transaction unchanged after a refused TryAddAsync");
        await AddAsync(c, Samples.BareTransaction("scep", "tx-2"));
    }

    private static async Task RoundTripAddAsync(CheckContext c)
    {
        var full = Samples.FullTransaction("scep", "3F2504E0-4F89-11D3-9A0C-0305E82C3301");
        var bare = Samples.BareTransaction("ra", "8A1F6B");
        await AddAsync(c, full);
        await AddAsync(c, bare);

        Compare.Transaction(c, full, await c.Transactions.FindAsync(full.Alias, full.TransactionId, c.Cancellation), 0, "every field of a transaction added with every field set, version 0");
        Compare.Transaction(c, bare, await c.Transactions.FindAsync(bare.Alias, bare.TransactionId, c.Cancellation), 0, "a transaction added with only its required fields to come back with nulls, version 0");
    }

    private static async Task RoundTripUpdateAsync(CheckContext c)
    {
        var bare = Samples.BareTransaction("scep", "tx-1");
        await AddAsync(c, bare);
        var full = Samples.FullTransaction("scep", "tx-1");
        await UpdateAsync(c, full, 0);
        Compare.Transaction(c, full, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 1, "every field as TryUpdateAsync wrote it, version 1");

        var cleared = bare with { State = ScepTransactionState.Rejected, UpdatedAt = Samples.FineTime.AddMinutes(9) };
        await UpdateAsync(c, cleared, 1);
        Compare.Transaction(c, cleared, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 2, "TryUpdateAsync to clear the fields it was given as null, version 2");

        var version = 2L;
        var values = new List<(string Name, ScepTransaction Next)>();
        values.AddRange(Enum.GetValues<ScepTransactionState>().Select(v => ($"State {v}", full with { State = v })));
        values.AddRange(Enum.GetValues<MessageType>().Select(v => ($"MessageType {v}", full with { MessageType = v })));
        values.AddRange(Enum.GetValues<EndEntityStatus>().Select(v => ($"PreviousEntityStatus {v}", full with { PreviousEntityStatus = v })));
        values.AddRange(Enum.GetValues<ScepPendingKind>().Select(v => ($"PendingKind {v}", full with { PendingKind = v })));
        values.AddRange(Enum.GetValues<FailInfo>().Select(v => ($"FailInfo {v}", full with { FailInfo = v })));
        values.AddRange(Enum.GetValues<RefusalCategory>().Select(v => ($"RefusalCategory {v}", full with { RefusalCategory = v })));
        foreach (var (name, next) in values)
        {
            await UpdateAsync(c, next, version++);
            Compare.Transaction(c, next, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), version, $"{name} to round-trip");
        }
    }

    private static async Task UpdateFromStoredVersionAsync(CheckContext c)
    {
        var transaction = Samples.BareTransaction("scep", "tx-1", username: "device-1");
        await AddAsync(c, transaction);

        var pending = transaction with { State = ScepTransactionState.Pending, PendingKind = ScepPendingKind.Approval, PendingReference = "ref-1", Version = 1 };
        c.Expect(await c.Transactions.TryUpdateAsync(pending, 0, c.Cancellation), "TryUpdateAsync from the stored version 0 to return true", "false");
        Compare.Transaction(c, pending, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 1, "the update stored with version 1");

        var issued = pending with { State = ScepTransactionState.Issued, PendingKind = null, IssuedCertificate = [0x30, 0x03, 0x02, 0x01, 0x01] };
        c.Expect(await c.Transactions.TryUpdateAsync(issued, 1, c.Cancellation), "TryUpdateAsync from the stored version 1 to return true", "false");
        Compare.Transaction(c, issued, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 2, "the stored version to be expectedVersion + 1 = 2 (not the Version of the transaction passed in, 1)");
    }

    private static async Task UpdateStaleAsync(CheckContext c)
    {
        var transaction = Samples.BareTransaction("scep", "tx-1", username: "device-1");
        await AddAsync(c, transaction);
        var current = transaction with { State = ScepTransactionState.Issued, IssuedCertificate = [1, 2, 3], Version = 1 };
        await UpdateAsync(c, current, 0);

        foreach (var stale in new long[] { 0, 2, 7 })
        {
            var overwrite = transaction with { State = ScepTransactionState.Rejected, FailInfoText = "lost update", Version = stale + 1 };
            c.Expect(!await c.Transactions.TryUpdateAsync(overwrite, stale, c.Cancellation), $"TryUpdateAsync with expected version {stale} to return false while the stored version is 1", "true");
            Compare.Transaction(c, current, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 1, $"nothing changed by the refused update from version {stale}");
        }
    }

    private static async Task UpdateUnknownAsync(CheckContext c)
    {
        var ghost = Samples.FullTransaction("scep", "tx-1") with { Version = 1 };
        c.Expect(!await c.Transactions.TryUpdateAsync(ghost, 0, c.Cancellation), "TryUpdateAsync of a transaction that does not exist to return false", "true");
        var found = await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation);
        c.Expect(found is null, "no transaction after a refused TryUpdateAsync (an update is not an insert)", Show.Transaction(found));
    }

    private static async Task FindAwaitingApprovalAsync(CheckContext c)
    {
        // Alice has transactions in every state but "pending approval"; Bob's waits for approval.
        await AddAsync(c, Samples.BareTransaction("scep", "alice-validation", "alice", ScepTransactionState.Pending, ScepPendingKind.Validation));
        await AddAsync(c, Samples.BareTransaction("scep", "alice-issued", "alice", ScepTransactionState.Issued));
        await AddAsync(c, Samples.BareTransaction("scep", "alice-rejected", "alice", ScepTransactionState.Rejected));
        await AddAsync(c, Samples.BareTransaction("scep", "alice-in-process", "alice", ScepTransactionState.InProcess));
        var bobs = Samples.BareTransaction("scep", "bob-approval", "bob", ScepTransactionState.Pending, ScepPendingKind.Approval) with { PendingReference = "ref-bob" };
        await AddAsync(c, bobs);
        await ExpectAwaitingAsync(c, "alice", null, "none of Alice's: validation-pending, issued, rejected and in-process transactions do not await approval, and Bob's is not hers");
        await ExpectAwaitingAsync(c, "Bob", null, "usernames to match exactly");
        await ExpectAwaitingAsync(c, "bob", bobs, "Bob's transaction pending approval");

        // A pending transaction recorded before PendingKind existed awaits approval.
        var carols = Samples.BareTransaction("scep", "carol-legacy", "carol", ScepTransactionState.Pending) with { PendingReference = "ref-carol" };
        await AddAsync(c, carols);
        await ExpectAwaitingAsync(c, "carol", carols, "a Pending transaction with PendingKind null (recorded before PendingKind existed) to count as awaiting approval");

        var alices = Samples.BareTransaction("ra", "alice-approval", "alice", ScepTransactionState.Pending, ScepPendingKind.Approval) with { PendingReference = "ref-alice" };
        await AddAsync(c, alices);
        await ExpectAwaitingAsync(c, "alice", alices, "Alice's transaction pending approval among her others");

        await UpdateAsync(c, alices with { State = ScepTransactionState.Issued, PendingKind = null, IssuedCertificate = [1] }, 0);
        await ExpectAwaitingAsync(c, "alice", null, "nothing once Alice's approval was issued (the query reads the current state)");
    }

    private static async Task ConcurrentAddsAsync(CheckContext c)
    {
        var added = await Concurrently.RunAsync(Concurrently.Callers, async i =>
            await c.Transactions.TryAddAsync(Samples.BareTransaction(i % 2 == 0 ? "scep" : "SCEP", "tx-1") with { RequesterKeyId = $"caller-{i}" }, c.Cancellation));

        var winners = added.Select((a, i) => (a, i)).Where(p => p.a).Select(p => p.i).ToList();
        c.Expect(winners.Count == 1, $"exactly one of {Concurrently.Callers} concurrent TryAddAsync of \"scep\"/\"tx-1\" (half of them spelt \"SCEP\") to return true", $"{winners.Count} did");
        var stored = await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation);
        c.Expect(stored?.RequesterKeyId == $"caller-{winners[0]}", $"the winner's transaction (RequesterKeyId \"caller-{winners[0]}\") stored", stored is null ? "null" : $"RequesterKeyId {Show.Value(stored.RequesterKeyId)}");
    }

    private static async Task ConcurrentUpdatesAsync(CheckContext c)
    {
        var transaction = Samples.BareTransaction("scep", "tx-1", username: "device-1");
        await AddAsync(c, transaction);

        var won = await Concurrently.RunAsync(Concurrently.Callers, async i =>
            await c.Transactions.TryUpdateAsync(transaction with { State = ScepTransactionState.Issued, PendingReference = $"caller {i}", Version = 1 }, 0, c.Cancellation));

        var winners = won.Select((w, i) => (w, i)).Where(p => p.w).Select(p => p.i).ToList();
        c.Expect(winners.Count == 1, $"exactly one of {Concurrently.Callers} concurrent TryUpdateAsync from version 0 to return true", $"{winners.Count} did");
        Compare.Transaction(
            c, transaction with { State = ScepTransactionState.Issued, PendingReference = $"caller {winners[0]}" }, await c.Transactions.FindAsync("scep", "tx-1", c.Cancellation), 1, "the winner's update stored, with version 1");
    }

    private static async Task ExpectAwaitingAsync(CheckContext c, string username, ScepTransaction? expected, string what)
    {
        var found = await c.Transactions.FindAwaitingApprovalAsync(username, c.Cancellation);
        if (expected is null)
        {
            c.Expect(found is null, $"FindAwaitingApprovalAsync({Show.Value(username)}) to return null: {what}", Show.Transaction(found));
            return;
        }

        c.Expect(
            found is not null && found.Alias.Equals(expected.Alias, StringComparison.OrdinalIgnoreCase) && found.TransactionId == expected.TransactionId,
            $"FindAwaitingApprovalAsync({Show.Value(username)}) to return {Show.Transaction(expected)}: {what}",
            Show.Transaction(found));
    }

    private static async Task AddAsync(CheckContext c, ScepTransaction transaction) =>
        c.Expect(await c.Transactions.TryAddAsync(transaction, c.Cancellation), $"TryAddAsync of a new transaction {Show.Value(transaction.Alias)}/{Show.Value(transaction.TransactionId)} to return true", "false");

    private static async Task UpdateAsync(CheckContext c, ScepTransaction transaction, long expectedVersion) =>
        c.Expect(
            await c.Transactions.TryUpdateAsync(transaction with { Version = expectedVersion + 1 }, expectedVersion, c.Cancellation),
            $"TryUpdateAsync of {Show.Value(transaction.Alias)}/{Show.Value(transaction.TransactionId)} from the stored version {expectedVersion} to return true",
            "false");
}
