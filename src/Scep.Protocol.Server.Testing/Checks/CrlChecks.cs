using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary><see cref="ICertificateStore"/>'s CRL numbers (monotonic, never reused, with the revision they cover) and the current CRL.</summary>
internal static class CrlChecks
{
    public static IEnumerable<ContractCheck> All =>
    [
        new("Crls_NextCrlNumber_IsMonotonicAndCarriesTheRevision", true, NextNumberAsync),
        new("Crls_FiftyConcurrentNextCrlNumbers_AreDistinct", true, ConcurrentNumbersAsync),
        new("Crls_StoreCrl_KeepsTheHighestNumberPerIssuer", true, StoreCrlAsync),
    ];

    private static async Task NextNumberAsync(CheckContext c)
    {
        var (first, firstRevision) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(first >= 0 && firstRevision == 0, "the first NextCrlNumberAsync to return a number of 0 or more and revision 0", $"number {first}, revision {firstRevision}");
        var (second, _) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(second > first, $"the next CRL number to be greater than {first}", second.ToString(CultureInfo.InvariantCulture));

        var certificate = Samples.Certificate(Samples.Serial(1), Samples.Time);
        await CertificateChecks.AddAsync(c, certificate);
        await c.Certificates.RevokeAsync(certificate.SerialNumber, X509RevocationReason.KeyCompromise, Samples.Time.AddHours(1), c.Cancellation);
        var (third, thirdRevision) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(third > second && thirdRevision == 1, $"after a revocation, a CRL number greater than {second} with revision 1", $"number {third}, revision {thirdRevision}");

        var (foreign, foreignRevision) = await c.Certificates.NextCrlNumberAsync(Samples.OtherIssuerId, c.Cancellation);
        c.Expect(foreign >= 0 && foreignRevision == 0, "another issuer's CRL number with its own revision 0", $"number {foreign}, revision {foreignRevision}");
        var (fourth, _) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(fourth > third, $"the first issuer's next CRL number greater than {third} after the other issuer took one", fourth.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task ConcurrentNumbersAsync(CheckContext c)
    {
        var (before, _) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        var numbers = await Concurrently.RunAsync(Concurrently.Callers, async _ => (await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation)).Number);

        var distinct = numbers.Distinct().Count();
        c.Expect(distinct == Concurrently.Callers, $"{Concurrently.Callers} concurrent NextCrlNumberAsync to return {Concurrently.Callers} distinct numbers", $"{distinct} distinct: {string.Join(", ", numbers.Order())}");
        c.Expect(numbers.All(n => n > before), $"every number greater than the one taken before, {before}", string.Join(", ", numbers.Order()));
        var (after, _) = await c.Certificates.NextCrlNumberAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(after > numbers.Max(), $"the number taken afterwards greater than every concurrent one ({numbers.Max()})", after.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task StoreCrlAsync(CheckContext c)
    {
        var none = await c.Certificates.GetCrlAsync(Samples.IssuerId, c.Cancellation);
        c.Expect(none is null, "GetCrlAsync to return null before a CRL is stored", none is null ? "null" : $"CRL number {none.Number}");

        var five = Crl(Samples.IssuerId, 5, 2);
        await c.Certificates.StoreCrlAsync(five, c.Cancellation);
        Compare.Crl(c, five, await c.Certificates.GetCrlAsync(Samples.IssuerId, c.Cancellation), "GetCrlAsync to return CRL 5 with every field as stored");

        await c.Certificates.StoreCrlAsync(Crl(Samples.IssuerId, 3, 1), c.Cancellation);
        Compare.Crl(c, five, await c.Certificates.GetCrlAsync(Samples.IssuerId, c.Cancellation), "CRL 5 kept when CRL 3 is stored after it (a lower number does not replace a higher one)");

        var seven = Crl(Samples.IssuerId, 7, 3);
        await c.Certificates.StoreCrlAsync(seven, c.Cancellation);
        Compare.Crl(c, seven, await c.Certificates.GetCrlAsync(Samples.IssuerId, c.Cancellation), "CRL 7 replacing CRL 5");

        var foreign = Crl(Samples.OtherIssuerId, 1, 0);
        await c.Certificates.StoreCrlAsync(foreign, c.Cancellation);
        Compare.Crl(c, foreign, await c.Certificates.GetCrlAsync(Samples.OtherIssuerId, c.Cancellation), "another issuer's CRL 1 kept as its own");
        Compare.Crl(c, seven, await c.Certificates.GetCrlAsync(Samples.IssuerId, c.Cancellation), "the first issuer's CRL 7 untouched by the other issuer's CRL 1");
    }

    private static StoredCrl Crl(string issuerId, long number, long revision) =>
        new(issuerId, number, revision, Samples.FineTime.AddHours(number), Samples.FineTime.AddHours(number + 24), RandomNumberGenerator.GetBytes(300 + (int)number));
}
