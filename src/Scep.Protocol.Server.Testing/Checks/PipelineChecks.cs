using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Pipeline;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>
/// The pipeline over the stores under test: what the stores' compare-and-swap and queries are for. One one-time code
/// issues once under 50 concurrent requests, one request re-sent 50 times issues once, and a server that died in
/// the middle of an enrollment (records written here as its crash left them) is settled without a second certificate.
/// </summary>
internal static class PipelineChecks
{
    private const string Username = "device-1";
    private const string Code = "one-time-code-1";

    public static IEnumerable<ContractCheck> All =>
    [
        new("Pipeline_FiftyConcurrentRequestsWithOneCode_IssueExactlyOneCertificate", false, OneCodeAsync),
        new("Pipeline_FiftyConcurrentCopiesOfOneRequest_IssueOneCertificate", false, OneRequestAsync),
        new("Pipeline_StaleTransactionWithACertificateOnRecord_IsSettledAsIssued", false, StaleTransactionAsync),
        new("Pipeline_StaleEntityWithACertificateOnRecord_KeepsTheCodeSpent", false, StaleEntityAsync),
        new("Pipeline_StaleEntityAwaitingApproval_KeepsTheCodeHeld", false, StaleApprovalAsync),
    ];

    private static async Task OneCodeAsync(CheckContext c)
    {
        using var server = new ContractServer(c);
        await AddEntityAsync(c, NewEntity(server.Now));
        var clients = Enumerable.Range(0, Concurrently.Callers).Select(i => new ContractClient(Username, Code, i)).ToList();
        var requests = clients.Select(client => client.PkcsReq(server.Now)).ToList();

        var replies = await Concurrently.RunAsync(Concurrently.Callers, i => server.SendAsync(requests[i]));

        var successes = replies.Select((r, i) => (r, i)).Where(p => p.r.Status == PkiStatus.Success).Select(p => p.i).ToList();
        c.Expect(
            successes.Count == 1 && replies.All(r => r.Status is PkiStatus.Success or PkiStatus.Failure),
            $"of {Concurrently.Callers} concurrent PKCSReqs (each its own transactionID) with one one-time code, exactly one SUCCESS and the others FAILURE",
            Tally(replies));
        var winner = clients[successes[0]];
        var certificate = winner.CertificateFrom(replies[successes[0]]);
        var issued = await server.IssuedAsync();
        c.Expect(
            issued.Length == 1 && certificate is not null && issued[0].RawData.AsSpan().SequenceEqual(certificate.RawData),
            "exactly one certificate issued, the one the SUCCESS carries",
            $"{issued.Length} recorded ({Show.Certificates(issued)}), the reply carries {(certificate is null ? "none" : certificate.SerialNumber)}");
        await ExpectEntityAsync(c, EndEntityStatus.Generated, "the entity GENERATED: its code is spent");
        var transaction = await c.Transactions.FindAsync(ContractServer.Alias, winner.TransactionId, c.Cancellation);
        c.Expect(
            transaction is { State: ScepTransactionState.Issued } && transaction.IssuedCertificate.AsSpan().SequenceEqual(certificate!.RawData),
            "the winning transaction recorded as Issued with its certificate",
            Show.Transaction(transaction));
    }

    private static async Task OneRequestAsync(CheckContext c)
    {
        using var server = new ContractServer(c);
        await AddEntityAsync(c, NewEntity(server.Now));
        var client = new ContractClient(Username, Code, 0);
        var request = client.PkcsReq(server.Now);

        var replies = await Concurrently.RunAsync(Concurrently.Callers, _ => server.SendAsync(request));

        // A copy that arrives while the first is being processed is told PENDING (it polls or re-sends); every SUCCESS carries the one certificate.
        var certificates = replies.Where(r => r.Status == PkiStatus.Success).Select(r => client.CertificateFrom(r)?.SerialNumber ?? "none").Distinct().ToList();
        c.Expect(
            certificates.Count == 1 && replies.All(r => r.Status is PkiStatus.Success or PkiStatus.Pending),
            $"{Concurrently.Callers} concurrent copies of one PKCSReq to be answered SUCCESS with one and the same certificate (or PENDING while the first is in process), never FAILURE",
            $"{Tally(replies)}; certificates in the SUCCESS replies: {(certificates.Count == 0 ? "none" : string.Join(", ", certificates))}");
        var issued = await server.IssuedAsync();
        c.Expect(issued.Length == 1 && issued[0].SerialNumber == certificates[0], $"exactly one certificate issued, {certificates[0]}", $"{issued.Length}: {Show.Certificates(issued)}");

        var again = await server.SendAsync(request);
        var resent = again.Status == PkiStatus.Success ? client.CertificateFrom(again) : null;
        c.Expect(resent?.SerialNumber == certificates[0], $"the request sent once more afterwards answered SUCCESS with the same certificate {certificates[0]}", again.Status == PkiStatus.Success ? $"SUCCESS with {resent?.SerialNumber ?? "no certificate for the key"}" : Show.Reply(again));
        c.Expect((await server.IssuedAsync()).Length == 1, "still exactly one certificate issued", $"{(await server.IssuedAsync()).Length}");
        await ExpectEntityAsync(c, EndEntityStatus.Generated, "the entity GENERATED");
    }

    private static async Task StaleTransactionAsync(CheckContext c)
    {
        // A server died after its authority had recorded the certificate and before the transaction and the entity were updated.
        using var server = new ContractServer(c);
        var crashedAt = server.Now - ContractServer.StaleReservationTimeout - TimeSpan.FromMinutes(5);
        var client = new ContractClient(Username, Code, 0);
        await AddEntityAsync(c, NewEntity(crashedAt) with { Status = EndEntityStatus.InProcess });
        await AddTransactionAsync(c, InProcess(client, crashedAt));
        var recorded = await server.RecordIssuedBeforeCrashAsync(client, Username, crashedAt.AddSeconds(1));

        var reply = await server.SendAsync(client.PkcsReq(server.Now));

        var certificate = reply.Status == PkiStatus.Success ? client.CertificateFrom(reply) : null;
        c.Expect(
            certificate is not null && certificate.RawData.AsSpan().SequenceEqual(recorded.RawData),
            $"the re-sent request of a transaction left InProcess past the stale timeout answered SUCCESS with the certificate recorded before the crash, {recorded.SerialNumber} (IScepTransactionStore.FindAsync, ICertificateStore.FindByTransactionAsync)",
            reply.Status == PkiStatus.Success ? $"SUCCESS with {(certificate is null ? "no certificate for the key" : certificate.SerialNumber)}" : Show.Reply(reply));
        var issued = await server.IssuedAsync();
        c.Expect(issued.Length == 1, "no second certificate issued", $"{issued.Length}: {Show.Certificates(issued)}");
        var transaction = await c.Transactions.FindAsync(ContractServer.Alias, client.TransactionId, c.Cancellation);
        c.Expect(
            transaction is { State: ScepTransactionState.Issued } && transaction.IssuedCertificate.AsSpan().SequenceEqual(recorded.RawData),
            "the transaction settled as Issued with that certificate",
            Show.Transaction(transaction));
        await ExpectEntityAsync(c, EndEntityStatus.Generated, "the entity settled GENERATED");
    }

    private static async Task StaleEntityAsync(CheckContext c)
    {
        // As above, and then another request (its own transactionID and key) tries the same one-time code.
        using var server = new ContractServer(c);
        var crashedAt = server.Now - ContractServer.StaleReservationTimeout - TimeSpan.FromMinutes(5);
        var crashed = new ContractClient(Username, Code, 0);
        await AddEntityAsync(c, NewEntity(crashedAt) with { Status = EndEntityStatus.InProcess });
        await AddTransactionAsync(c, InProcess(crashed, crashedAt));
        await server.RecordIssuedBeforeCrashAsync(crashed, Username, crashedAt.AddSeconds(1));
        var second = new ContractClient(Username, Code, 1);

        var reply = await server.SendAsync(second.PkcsReq(server.Now));

        c.Expect(
            reply.Status == PkiStatus.Failure,
            "a new request with the code of an entity left IN PROCESS past the stale timeout, whose certificate was recorded before the crash, refused (ICertificateStore.FindLatestForUserAsync finds it)",
            Show.Reply(reply));
        var issued = await server.IssuedAsync();
        c.Expect(issued.Length == 1, "no second certificate issued", $"{issued.Length}: {Show.Certificates(issued)}");
        await ExpectEntityAsync(c, EndEntityStatus.Generated, "the entity settled GENERATED: its code stays spent");
    }

    private static async Task StaleApprovalAsync(CheckContext c)
    {
        // The entity's request waits for an operator's approval, longer than the stale timeout: its reservation holds.
        using var server = new ContractServer(c);
        var heldSince = server.Now - ContractServer.StaleReservationTimeout - TimeSpan.FromMinutes(5);
        var held = new ContractClient(Username, Code, 0);
        await AddEntityAsync(c, NewEntity(heldSince) with { Status = EndEntityStatus.InProcess });
        await AddTransactionAsync(c, InProcess(held, heldSince) with { State = ScepTransactionState.Pending, PendingKind = ScepPendingKind.Approval, PendingReference = "held-for-approval" });
        var second = new ContractClient(Username, Code, 1);

        var reply = await server.SendAsync(second.PkcsReq(server.Now));

        c.Expect(
            reply.Status == PkiStatus.Failure,
            "a new request with the code of an entity whose request awaits approval refused, however old the reservation (IScepTransactionStore.FindAwaitingApprovalAsync finds it)",
            Show.Reply(reply));
        var issued = await server.IssuedAsync();
        c.Expect(issued.Length == 0, "no certificate issued", $"{issued.Length}: {Show.Certificates(issued)}");
        await ExpectEntityAsync(c, EndEntityStatus.InProcess, "the entity still IN PROCESS, reserved for the request awaiting approval");
    }

    private static EndEntity NewEntity(DateTimeOffset now) => new()
    {
        Username = Username,
        EnrollmentCodeHash = EnrollmentCode.Hash(Code),
        Status = EndEntityStatus.New,
        StatusChangedAt = now,
    };

    /// <summary>The transaction of <paramref name="client"/>'s PKCSReq as the pipeline reserves it.</summary>
    private static ScepTransaction InProcess(ContractClient client, DateTimeOffset at) => new()
    {
        Alias = ContractServer.Alias,
        TransactionId = client.TransactionId,
        RequesterKeyId = client.RequesterKeyId,
        State = ScepTransactionState.InProcess,
        MessageType = MessageType.PKCSReq,
        Username = Username,
        PreviousEntityStatus = EndEntityStatus.New,
        CreatedAt = at,
        UpdatedAt = at,
    };

    private static async Task AddEntityAsync(CheckContext c, EndEntity entity) =>
        c.Expect(await c.Entities.TryAddAsync(entity, c.Cancellation), $"TryAddAsync of a new entity {Show.Value(entity.Username)} to return true", "false");

    private static async Task AddTransactionAsync(CheckContext c, ScepTransaction transaction) =>
        c.Expect(await c.Transactions.TryAddAsync(transaction, c.Cancellation), $"TryAddAsync of a new transaction {Show.Value(transaction.TransactionId)} to return true", "false");

    private static async Task ExpectEntityAsync(CheckContext c, EndEntityStatus status, string what)
    {
        var entity = await c.Entities.FindAsync(Username, c.Cancellation);
        c.Expect(entity?.Status == status, what, Show.Entity(entity));
    }

    private static string Tally(IEnumerable<PkiMessage> replies) =>
        string.Join(", ", replies.GroupBy(Show.Reply).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
