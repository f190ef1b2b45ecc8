using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>
/// <see cref="ICertificateStore"/>'s requests held for approval: kept with every field, listed while pending, and decided
/// once: an approval records its certificate and marks the request in one step, of concurrent decisions one wins.
/// </summary>
internal static class ApprovalChecks
{
    public static IEnumerable<ContractCheck> All =>
    [
        new("Approvals_AddPending_RoundTripsEveryField", true, RoundTripAsync),
        new("Approvals_ListPending_ListsOnlyPendingOnesOldestFirst", true, ListPendingAsync),
        new("Approvals_TryApprove_RecordsTheCertificateAndDecidesOnce", true, ApproveAsync),
        new("Approvals_TryReject_DecidesOnlyWhilePending", true, RejectAsync),
        new("Approvals_FiftyConcurrentApprovals_ExactlyOneWinsAndOneCertificateIsRecorded", true, ConcurrentApprovalsAsync),
    ];

    private static async Task RoundTripAsync(CheckContext c)
    {
        var full = Samples.Pending("A1B2C3D4E5F6", Samples.FineTime, username: "dévice-1");
        var anonymous = Samples.Pending("0102030405AA", Samples.Time, username: null);
        await c.Certificates.AddPendingAsync(full, c.Cancellation);
        await c.Certificates.AddPendingAsync(anonymous, c.Cancellation);

        Compare.Approval(c, full, await c.Certificates.FindPendingAsync(full.Id, c.Cancellation), "FindPendingAsync to return every field as added");
        Compare.Approval(c, anonymous, await c.Certificates.FindPendingAsync(anonymous.Id, c.Cancellation), "FindPendingAsync to return a request without a username as added");
        var unknown = await c.Certificates.FindPendingAsync("FFFFFFFFFFFF", c.Cancellation);
        c.Expect(unknown is null, "FindPendingAsync of an unknown reference to return null", Show.Approval(unknown));
    }

    private static async Task ListPendingAsync(CheckContext c)
    {
        var t = Samples.Time;
        var third = Samples.Pending("P3", t.AddMinutes(3));
        var first = Samples.Pending("P1", t.AddMinutes(1));
        var approved = Samples.Pending("P0", t);
        var second = Samples.Pending("P2", t.AddMinutes(2));
        var rejected = Samples.Pending("P4", t.AddMinutes(4));
        foreach (var pending in new[] { third, first, approved, second, rejected })
        {
            await c.Certificates.AddPendingAsync(pending, c.Cancellation);
        }

        await ExpectListAsync(c, [approved, first, second, third, rejected], "every request while all are pending, by RequestedAt (they were added out of order)");
        ExpectDecided(c, await c.Certificates.TryApproveAsync(approved.Id, Samples.Certificate(Samples.Serial(1), t.AddHours(1)), t.AddHours(1), c.Cancellation), approved.Id, "approve");
        ExpectDecided(c, await c.Certificates.TryRejectAsync(rejected.Id, "not ours", t.AddHours(1), c.Cancellation), rejected.Id, "reject");
        await ExpectListAsync(c, [first, second, third], "only the requests still pending, oldest first");
    }

    private static async Task ApproveAsync(CheckContext c)
    {
        var pending = Samples.Pending("A1", Samples.Time);
        await c.Certificates.AddPendingAsync(pending, c.Cancellation);

        var at = Samples.Time.AddMinutes(30);
        var certificate = Samples.Certificate(Samples.Serial(1), at, transactionId: pending.TransactionId);
        c.Expect(await c.Certificates.TryApproveAsync(pending.Id, certificate, at, c.Cancellation), "TryApproveAsync of a pending request to return true", "false");
        Compare.Certificate(c, certificate, await c.Certificates.FindAsync(certificate.SerialNumber, c.Cancellation), "the approval's certificate recorded");
        Compare.Approval(c, pending with { State = ApprovalState.Approved, CertificateSerial = certificate.SerialNumber, DecidedAt = at }, await c.Certificates.FindPendingAsync(pending.Id, c.Cancellation), "the request marked Approved with the certificate's serial number and the time");

        var second = Samples.Certificate(Samples.Serial(2), at.AddMinutes(1), transactionId: pending.TransactionId);
        c.Expect(!await c.Certificates.TryApproveAsync(pending.Id, second, at.AddMinutes(1), c.Cancellation), "a second TryApproveAsync to return false", "true");
        var notRecorded = await c.Certificates.FindAsync(second.SerialNumber, c.Cancellation);
        c.Expect(notRecorded is null, "the certificate of a refused approval not recorded", Show.Certificate(notRecorded));
        c.Expect(!await c.Certificates.TryRejectAsync(pending.Id, "too late", at.AddMinutes(2), c.Cancellation), "TryRejectAsync of an approved request to return false", "true");
        Compare.Approval(c, pending with { State = ApprovalState.Approved, CertificateSerial = certificate.SerialNumber, DecidedAt = at }, await c.Certificates.FindPendingAsync(pending.Id, c.Cancellation), "the approval unchanged by the refused decisions");

        var unknown = Samples.Certificate(Samples.Serial(3), at);
        c.Expect(!await c.Certificates.TryApproveAsync("no-such-request", unknown, at, c.Cancellation), "TryApproveAsync of an unknown request to return false", "true");
        var unknownRecorded = await c.Certificates.FindAsync(unknown.SerialNumber, c.Cancellation);
        c.Expect(unknownRecorded is null, "nothing recorded by the approval of an unknown request", Show.Certificate(unknownRecorded));
    }

    private static async Task RejectAsync(CheckContext c)
    {
        var pending = Samples.Pending("R1", Samples.Time);
        await c.Certificates.AddPendingAsync(pending, c.Cancellation);

        var at = Samples.Time.AddMinutes(30);
        c.Expect(await c.Certificates.TryRejectAsync(pending.Id, "Not a device of ours.", at, c.Cancellation), "TryRejectAsync of a pending request to return true", "false");
        var rejected = pending with { State = ApprovalState.Rejected, Reason = "Not a device of ours.", DecidedAt = at };
        Compare.Approval(c, rejected, await c.Certificates.FindPendingAsync(pending.Id, c.Cancellation), "the request marked Rejected with the reason and the time");

        c.Expect(!await c.Certificates.TryRejectAsync(pending.Id, "again", at.AddMinutes(1), c.Cancellation), "a second TryRejectAsync to return false", "true");
        var certificate = Samples.Certificate(Samples.Serial(1), at);
        c.Expect(!await c.Certificates.TryApproveAsync(pending.Id, certificate, at.AddMinutes(2), c.Cancellation), "TryApproveAsync of a rejected request to return false", "true");
        var recorded = await c.Certificates.FindAsync(certificate.SerialNumber, c.Cancellation);
        c.Expect(recorded is null, "the certificate of an approval refused after a rejection not recorded", Show.Certificate(recorded));
        Compare.Approval(c, rejected, await c.Certificates.FindPendingAsync(pending.Id, c.Cancellation), "the rejection, its reason and time unchanged by the refused decisions");
        c.Expect(!await c.Certificates.TryRejectAsync("no-such-request", "x", at, c.Cancellation), "TryRejectAsync of an unknown request to return false", "true");
    }

    private static async Task ConcurrentApprovalsAsync(CheckContext c)
    {
        var pending = Samples.Pending("C1", Samples.Time);
        await c.Certificates.AddPendingAsync(pending, c.Cancellation);
        var at = Samples.Time.AddMinutes(30);
        var certificates = Enumerable.Range(1, Concurrently.Callers).Select(i => Samples.Certificate(Samples.Serial(i), at, transactionId: pending.TransactionId)).ToList();

        var approved = await Concurrently.RunAsync(Concurrently.Callers, async i => await c.Certificates.TryApproveAsync(pending.Id, certificates[i], at, c.Cancellation));

        var winners = approved.Select((a, i) => (a, i)).Where(p => p.a).Select(p => p.i).ToList();
        c.Expect(winners.Count == 1, $"exactly one of {Concurrently.Callers} concurrent TryApproveAsync of one request to return true", $"{winners.Count} did");
        var listed = await c.Certificates.ListAsync(new CertificateQuery(), c.Cancellation);
        var winner = certificates[winners[0]];
        c.Expect(listed.Count == 1 && listed[0].SerialNumber == winner.SerialNumber, $"exactly one certificate recorded, the winner's {winner.SerialNumber}", Show.Certificates(listed));
        var decided = await c.Certificates.FindPendingAsync(pending.Id, c.Cancellation);
        c.Expect(decided is { State: ApprovalState.Approved } && decided.CertificateSerial == winner.SerialNumber, $"the request Approved with the winner's serial number {winner.SerialNumber}", decided is null ? "null" : $"{decided.State} with {Show.Value(decided.CertificateSerial)}");
    }

    private static async Task ExpectListAsync(CheckContext c, IReadOnlyList<PendingApproval> expected, string what)
    {
        var listed = await c.Certificates.ListPendingAsync(c.Cancellation);
        c.Expect(
            listed.Select(p => p.Id).SequenceEqual(expected.Select(e => e.Id)),
            $"ListPendingAsync to return {what}: {string.Join(", ", expected.Select(e => e.Id))}",
            listed.Count == 0 ? "none" : string.Join(", ", listed.Select(p => $"{p.Id} ({p.State})")));
    }

    private static void ExpectDecided(CheckContext c, bool decided, string id, string how) =>
        c.Expect(decided, $"the {how} of pending request {id} to succeed", "false");
}
