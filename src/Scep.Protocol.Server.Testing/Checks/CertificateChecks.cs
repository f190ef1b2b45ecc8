using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>
/// <see cref="ICertificateStore"/>'s certificates: added once per serial number, every field kept, the two crash-settlement
/// queries (by transaction, by end entity since a moment), the operator's list and search, and revocation.
/// </summary>
internal static class CertificateChecks
{
    public static IEnumerable<ContractCheck> All =>
    [
        new("Certificates_TryAdd_WithATakenSerial_FailsAndKeepsTheFirst", true, TryAddTakenAsync),
        new("Certificates_EveryField_RoundTrips", true, RoundTripAsync),
        new("Certificates_FindByTransaction_MatchesTheAliasCaseInsensitivelyAndTheLatestWins", true, FindByTransactionAsync),
        new("Certificates_FindLatestForUser_ReturnsTheLatestAtOrAfterSince", true, FindLatestForUserAsync),
        new("Certificates_List_IsOldestFirstWithSkipAndTake", true, ListAsync),
        new("Certificates_List_SearchesSubjectPartsAndSerialPrefixes", true, SearchAsync),
        new("Certificates_Revoke_RevokesOnceKeepsTheFirstDateAndRaisesTheRevision", true, RevokeAsync),
        new("Certificates_ListRevoked_ListsOnlyThatIssuersRevocations", true, ListRevokedAsync),
    ];

    private static async Task TryAddTakenAsync(CheckContext c)
    {
        var first = Samples.Certificate(Samples.Serial(1), Samples.Time);
        await AddAsync(c, first);

        var second = Samples.Certificate(Samples.Serial(1), Samples.Time.AddHours(1), username: "someone-else", subject: "CN=someone-else");
        c.Expect(!await c.Certificates.TryAddAsync(second, c.Cancellation), "TryAddAsync of a taken serial number to return false", "true");
        Compare.Certificate(c, first, await c.Certificates.FindAsync(first.SerialNumber, c.Cancellation), "the first certificate unchanged after a refused TryAddAsync");
        var listed = await c.Certificates.ListAsync(new CertificateQuery(), c.Cancellation);
        c.Expect(listed.Count == 1, "one certificate listed after a refused TryAddAsync", Show.Certificates(listed));
    }

    private static async Task RoundTripAsync(CheckContext c)
    {
        var full = Samples.Certificate(Samples.Serial(1), Samples.FineTime, username: "dévice-1", subject: "CN=dévice-1,OU=Ünit,O=Example,C=DE") with
        {
            NotBefore = Samples.FineTime.AddMinutes(-5).AddTicks(3),
            NotAfter = Samples.FineTime.AddDays(365).AddTicks(11),
        };
        var bare = Samples.Certificate(Samples.Serial(2), Samples.Time, username: null, alias: null) with { TransactionId = null };
        await AddAsync(c, full);
        await AddAsync(c, bare);

        Compare.Certificate(c, full, await c.Certificates.FindAsync(full.SerialNumber, c.Cancellation), $"FindAsync({full.SerialNumber}) to return every field as written");
        Compare.Certificate(c, bare, await c.Certificates.FindAsync(bare.SerialNumber, c.Cancellation), $"FindAsync({bare.SerialNumber}) to return a certificate with no username, alias or transactionID as written");
        var unknown = await c.Certificates.FindAsync(Samples.Serial(3), c.Cancellation);
        c.Expect(unknown is null, "FindAsync of an unknown serial number to return null", Show.Certificate(unknown));
    }

    private static async Task FindByTransactionAsync(CheckContext c)
    {
        var older = Samples.Certificate(Samples.Serial(1), Samples.Time, transactionId: "Tx-1");
        var newer = Samples.Certificate(Samples.Serial(2), Samples.Time.AddMinutes(2), transactionId: "Tx-1");
        var otherAlias = Samples.Certificate(Samples.Serial(3), Samples.Time.AddMinutes(3), alias: "ra", transactionId: "Tx-1");
        var otherTransaction = Samples.Certificate(Samples.Serial(4), Samples.Time.AddMinutes(4), transactionId: "Tx-2");
        foreach (var certificate in new[] { older, newer, otherAlias, otherTransaction })
        {
            await AddAsync(c, certificate);
        }

        foreach (var alias in new[] { "scep", "SCEP" })
        {
            var found = await c.Certificates.FindByTransactionAsync(alias, "Tx-1", c.Cancellation);
            c.Expect(found?.SerialNumber == newer.SerialNumber, $"FindByTransactionAsync({Show.Value(alias)}, \"Tx-1\") to return the latest of its two certificates, {newer.SerialNumber}", Show.Certificate(found));
        }

        var ra = await c.Certificates.FindByTransactionAsync("RA", "Tx-1", c.Cancellation);
        c.Expect(ra?.SerialNumber == otherAlias.SerialNumber, $"FindByTransactionAsync(\"RA\", \"Tx-1\") to return the ra alias's certificate {otherAlias.SerialNumber}", Show.Certificate(ra));
        foreach (var (alias, transactionId) in new[] { ("scep", "tx-1"), ("scep", "Tx-"), ("other", "Tx-1") })
        {
            var none = await c.Certificates.FindByTransactionAsync(alias, transactionId, c.Cancellation);
            c.Expect(none is null, $"FindByTransactionAsync({Show.Value(alias)}, {Show.Value(transactionId)}) to return null (the transactionID matches exactly)", Show.Certificate(none));
        }
    }

    private static async Task FindLatestForUserAsync(CheckContext c)
    {
        var t = Samples.Time;
        var first = Samples.Certificate(Samples.Serial(1), t);
        var second = Samples.Certificate(Samples.Serial(2), t.AddMinutes(10));
        var third = Samples.Certificate(Samples.Serial(3), t.AddMinutes(20));
        var someoneElse = Samples.Certificate(Samples.Serial(4), t.AddMinutes(30), username: "device-2");
        foreach (var certificate in new[] { first, second, third, someoneElse })
        {
            await AddAsync(c, certificate);
        }

        foreach (var (since, expected) in new[] { (t.AddMinutes(-1), third), (t.AddMinutes(15), third), (t.AddMinutes(20), third) })
        {
            var found = await c.Certificates.FindLatestForUserAsync("device-1", since, c.Cancellation);
            c.Expect(found?.SerialNumber == expected.SerialNumber, $"FindLatestForUserAsync(\"device-1\", {Show.Value(since)}) to return the latest certificate at or after that time, {expected.SerialNumber}", Show.Certificate(found));
        }

        foreach (var (username, since) in new[] { ("device-1", t.AddMinutes(20).AddSeconds(1)), ("Device-1", t), ("device-", t) })
        {
            var none = await c.Certificates.FindLatestForUserAsync(username, since, c.Cancellation);
            c.Expect(none is null, $"FindLatestForUserAsync({Show.Value(username)}, {Show.Value(since)}) to return null (nothing of that exact user at or after it)", Show.Certificate(none));
        }
    }

    private static async Task ListAsync(CheckContext c)
    {
        var certificates = Enumerable.Range(1, 5).Select(i => Samples.Certificate(Samples.Serial(i), Samples.Time.AddMinutes(i))).ToList();
        foreach (var certificate in certificates)
        {
            await AddAsync(c, certificate);
        }

        await ExpectListAsync(c, new CertificateQuery(), certificates, "every certificate, oldest first (the default Take is 100)");
        await ExpectListAsync(c, new CertificateQuery { Skip = 1, Take = 2 }, certificates.Skip(1).Take(2), "Skip 1, Take 2: the second and third oldest");
        await ExpectListAsync(c, new CertificateQuery { Skip = 4, Take = 10 }, certificates.Skip(4), "Skip 4, Take 10: the newest only");
        await ExpectListAsync(c, new CertificateQuery { Skip = 5 }, [], "Skip 5 of 5: none");
        await ExpectListAsync(c, new CertificateQuery { Take = 0 }, [], "Take 0: none");
    }

    private static async Task SearchAsync(CheckContext c)
    {
        var router = Samples.Certificate("7A01B2C3D4E5F60718293A4B5C6D7E8F", Samples.Time.AddMinutes(1), subject: "CN=Router-1,OU=Branch Office,O=Example");
        var phone = Samples.Certificate("7B00000000000000000000000000A1B2", Samples.Time.AddMinutes(2), subject: "CN=phone-7,O=Example");
        var printer = Samples.Certificate("0C1D2E3F405162738495A6B7C8D9EAFB", Samples.Time.AddMinutes(3), subject: "CN=printer,OU=Branch Office,O=Other");
        foreach (var certificate in new[] { router, phone, printer })
        {
            await AddAsync(c, certificate);
        }

        await ExpectListAsync(c, new CertificateQuery { Search = "router-1" }, [router], "Search \"router-1\": the subject part, case-insensitive");
        await ExpectListAsync(c, new CertificateQuery { Search = "branch office" }, [router, printer], "Search \"branch office\": every subject containing it, oldest first");
        await ExpectListAsync(c, new CertificateQuery { Search = "7A01" }, [router], "Search \"7A01\": the serial number starting with it");
        await ExpectListAsync(c, new CertificateQuery { Search = "7" }, [router, phone], "Search \"7\": the serials starting with 7 and the subject containing 7, oldest first");
        await ExpectListAsync(c, new CertificateQuery { Search = "A1B2" }, [], "Search \"A1B2\": none (a serial number matches by its start only)");
        await ExpectListAsync(c, new CertificateQuery { Search = "Branch Office", Skip = 1 }, [printer], "Search \"Branch Office\" with Skip 1: the second match");
        await ExpectListAsync(c, new CertificateQuery { Search = "nobody" }, [], "Search \"nobody\": none");
    }

    private static async Task RevokeAsync(CheckContext c)
    {
        var certificate = Samples.Certificate(Samples.Serial(1), Samples.Time);
        var other = Samples.Certificate(Samples.Serial(2), Samples.Time, issuerId: Samples.OtherIssuerId);
        await AddAsync(c, certificate);
        await AddAsync(c, other);
        await ExpectRevisionAsync(c, Samples.IssuerId, 0, "the revision 0 before any revocation");

        var revokedAt = Samples.Time.AddDays(1);
        var (result, record) = await c.Certificates.RevokeAsync(certificate.SerialNumber, X509RevocationReason.KeyCompromise, revokedAt, c.Cancellation);
        c.Expect(result == RevocationResult.Revoked, "RevokeAsync of a certificate on record to return Revoked", result.ToString());
        var revoked = certificate with { RevokedAt = revokedAt, RevocationReason = X509RevocationReason.KeyCompromise };
        Compare.Certificate(c, revoked, record, "RevokeAsync to return the record as it is now, revoked");
        Compare.Certificate(c, revoked, await c.Certificates.FindAsync(certificate.SerialNumber, c.Cancellation), "FindAsync to return the certificate revoked, with the date and reason");
        await ExpectRevisionAsync(c, Samples.IssuerId, 1, "the issuer's revision raised by the revocation");
        await ExpectRevisionAsync(c, Samples.OtherIssuerId, 0, "another issuer's revision untouched");

        var (again, againRecord) = await c.Certificates.RevokeAsync(certificate.SerialNumber, X509RevocationReason.Superseded, revokedAt.AddDays(1), c.Cancellation);
        c.Expect(again == RevocationResult.AlreadyRevoked, "a second RevokeAsync to return AlreadyRevoked", again.ToString());
        Compare.Certificate(c, revoked, againRecord, "the second RevokeAsync to return the record with the first revocation's date and reason");
        Compare.Certificate(c, revoked, await c.Certificates.FindAsync(certificate.SerialNumber, c.Cancellation), "the first revocation's date and reason kept");
        await ExpectRevisionAsync(c, Samples.IssuerId, 1, "the revision unchanged by a second revocation");

        var (missing, missingRecord) = await c.Certificates.RevokeAsync(Samples.Serial(3), null, revokedAt, c.Cancellation);
        c.Expect(missing == RevocationResult.NotFound && missingRecord is null, "RevokeAsync of an unknown serial number to return NotFound and null", $"{missing} and {Show.Certificate(missingRecord)}");

        var (withoutReason, _) = await c.Certificates.RevokeAsync(other.SerialNumber, null, revokedAt, c.Cancellation);
        c.Expect(withoutReason == RevocationResult.Revoked, "RevokeAsync without a reason to return Revoked", withoutReason.ToString());
        Compare.Certificate(c, other with { RevokedAt = revokedAt }, await c.Certificates.FindAsync(other.SerialNumber, c.Cancellation), "a revocation without a reason kept with a null reason");
        await ExpectRevisionAsync(c, Samples.OtherIssuerId, 1, "the other issuer's revision raised by its own revocation");
        await ExpectRevisionAsync(c, Samples.IssuerId, 1, "the first issuer's revision unchanged by the other's revocation");
    }

    private static async Task ListRevokedAsync(CheckContext c)
    {
        var certificates = Enumerable.Range(1, 4).Select(i => Samples.Certificate(Samples.Serial(i), Samples.Time.AddMinutes(i))).ToList();
        var foreign = Samples.Certificate(Samples.Serial(9), Samples.Time, issuerId: Samples.OtherIssuerId);
        foreach (var certificate in certificates.Append(foreign))
        {
            await AddAsync(c, certificate);
        }

        var none = await c.Certificates.ListRevokedAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(none.Count == 0, "ListRevokedAsync to return nothing before any revocation", string.Join(", ", none.Select(r => r.SerialNumber)));

        var at = Samples.Time.AddDays(1);
        await c.Certificates.RevokeAsync(certificates[0].SerialNumber, X509RevocationReason.KeyCompromise, at, c.Cancellation);
        await c.Certificates.RevokeAsync(certificates[2].SerialNumber, null, at.AddHours(1), c.Cancellation);
        await c.Certificates.RevokeAsync(foreign.SerialNumber, X509RevocationReason.CessationOfOperation, at, c.Cancellation);

        var listed = await c.Certificates.ListRevokedAsync(Samples.IssuerId, c.Cancellation);
        var expected = new[]
        {
            new RevokedCertificate(certificates[0].SerialNumber, at, X509RevocationReason.KeyCompromise),
            new RevokedCertificate(certificates[2].SerialNumber, at.AddHours(1), null),
        };
        c.Expect(
            listed.Count == expected.Length && expected.All(e => listed.Any(l => l.SerialNumber == e.SerialNumber && c.SameTime(e.RevokedAt, l.RevokedAt) && l.Reason == e.Reason)),
            "ListRevokedAsync to return exactly the issuer's two revocations with their dates and reasons: " + Describe(expected),
            Describe(listed));
        var foreignListed = await c.Certificates.ListRevokedAsync(Samples.OtherIssuerId, c.Cancellation);
        c.Expect(
            foreignListed.Count == 1 && foreignListed[0].SerialNumber == foreign.SerialNumber,
            $"ListRevokedAsync of the other issuer to return its one revocation {foreign.SerialNumber}",
            Describe(foreignListed));
    }

    private static async Task ExpectListAsync(CheckContext c, CertificateQuery query, IEnumerable<IssuedCertificateRecord> expected, string what)
    {
        var listed = await c.Certificates.ListAsync(query, c.Cancellation);
        var serials = expected.Select(e => e.SerialNumber).ToList();
        c.Expect(listed.Select(l => l.SerialNumber).SequenceEqual(serials), $"ListAsync, {what}: {(serials.Count == 0 ? "none" : string.Join(", ", serials))}", Show.Certificates(listed));
    }

    private static async Task ExpectRevisionAsync(CheckContext c, string issuerId, long revision, string what)
    {
        var found = await c.Certificates.GetRevisionAsync(issuerId, c.Cancellation);
        c.Expect(found == revision, $"GetRevisionAsync to return {revision}: {what}", found.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Describe(IEnumerable<RevokedCertificate> entries)
    {
        var list = entries.Select(e => $"{e.SerialNumber} at {Show.Value(e.RevokedAt)} ({e.Reason?.ToString() ?? "no reason"})").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    internal static async Task AddAsync(CheckContext c, IssuedCertificateRecord certificate) =>
        c.Expect(await c.Certificates.TryAddAsync(certificate, c.Cancellation), $"TryAddAsync of a new serial number {certificate.SerialNumber} to return true", "false");
}
