using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Messages;

/// <summary>
/// Issue 7: tens of thousands of mutations of valid requests of every type, through the whole pipeline
/// (<see cref="ScepRequestHandler"/> with the in-memory stores). Every input is answered with a signed CertRep
/// (HTTP 200) or a 4xx, never a 5xx or an exception; when the answer is a FAILURE or a 4xx, the stores
/// (transactions, end entities, issued certificates) are exactly as they were before the input. Mutants that are
/// still valid requests (a flipped bit in a certificate's signature, a re-encoded length) may succeed: they are
/// counted. The seed is fixed, the work is bounded by counts.
/// </summary>
public class PipelineMutationSweepTests
{
    private const int Seed = 7007;
    private const int Flips = 1000;

    /// <summary>One valid request, the alias it goes to, and the signer key that can sign a spliced copy again.</summary>
    private sealed record Sample(string Name, string Alias, byte[] Encoded, AsymmetricAlgorithm SignerKey);

    private sealed class Tally
    {
        public int Inputs;
        public int Success;
        public int Pending;
        public int Failure;
        public readonly SortedDictionary<int, int> Statuses = [];
        public readonly SortedDictionary<string, int> FailInfos = new(StringComparer.Ordinal);
        public readonly List<string> Violations = [];

        public override string ToString() =>
            $"{Inputs} inputs: CertRep SUCCESS {Success}, PENDING {Pending}, FAILURE {Failure} ({string.Join(", ", FailInfos.Select(f => $"{f.Key} {f.Value}"))}); "
            + $"HTTP {string.Join(", ", Statuses.Select(s => $"{s.Key}: {s.Value}"))}";
    }

    [Test]
    public async Task Sweep_MutatedRequestsOfEveryType_AreAnsweredWithFailureOr4xxAndLeaveTheStoresUnchanged()
    {
        var ca = TestPki.CreateCa("CN=Pipeline Sweep CA,O=Scep.Protocol Tests", TestPki.CachedRsa(140, 1024));
        using var server = ServerHarness.Create(
            o =>
            {
                o.Aliases["scep"].AllowRenewal = true;
                o.Aliases["scep"].RenewalMinimumElapsedFraction = 0;
            },
            ca: ca);
        var samples = await BuildSamplesAsync(server, ca);
        var donors = samples.Select(s => s.Encoded).ToList();
        var tally = new Tally();

        foreach (var sample in samples)
        {
            var random = new Random(Seed + sample.Name.Sum(c => c));
            var resign = (Action<SignedMessage>)(m => m.Resign(sample.SignerKey));
            var outsideCertificates = Mutations.OutsideCertificates(sample.Encoded);
            var families = new (string Family, IEnumerable<byte[]> Inputs)[]
            {
                ("truncation", Mutations.Truncations(sample.Encoded)),
                ("byte-flip", Mutations.ByteFlips(sample.Encoded, random, Flips)),
                ("bit-flip", Mutations.BitFlips(sample.Encoded, random, Flips)),
                ("structure", Mutations.Structural(sample.Encoded, root => new SignedMessage(root).Certificates?.Children ?? [])),
                ("envelope-structure", EnvelopeMutations(sample.Encoded)),
                ("length-field", Mutations.LengthFields(sample.Encoded, outsideCertificates)),
                ("splice", Mutations.Splices(sample.Encoded, donors.Where(d => d != sample.Encoded).ToList())),
                ("splice-resigned", Mutations.Splices(sample.Encoded, donors.Where(d => d != sample.Encoded).ToList(), resign)),
                ("structure-resigned", ResignedStructural(sample.Encoded, resign)),
            };
            foreach (var (family, inputs) in families)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var count = tally.Inputs;
                var index = 0;
                foreach (var input in inputs)
                {
                    // Every fourth input of the first sample travels by GET, as base64 in the query string.
                    var byGet = sample.Name == "PKCSReq-RA" && index++ % 4 == 0;
                    await SendAsync(server, sample, family, input, byGet, tally);
                }

                TestContext.Out.WriteLine($"{sample.Name} {family}: {tally.Inputs - count} inputs, {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            }
        }

        TestContext.Out.WriteLine($"pipeline sweep: {tally}");
        tally.Violations.Should().BeEmpty();
        tally.Inputs.Should().BeGreaterThan(20_000, "the sweep is meant to run tens of thousands of inputs");
        tally.Failure.Should().BePositive();
        tally.Statuses.Keys.Should().OnlyContain(status => status == 200 || (status >= 400 && status < 500));
    }

    private static async Task SendAsync(ServerHarness server, Sample sample, string family, byte[] input, bool byGet, Tally tally)
    {
        tally.Inputs++;
        var before = Snapshot(server);
        ScepHttpResponse response;
        try
        {
            response = byGet
                ? await server.GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(input), sample.Alias)
                : await server.PostAsync(input, sample.Alias);
        }
        catch (Exception e)
        {
            tally.Violations.Add($"{sample.Name} {family}: {e.GetType().Name} escaped: {e.Message}; input {Convert.ToHexString(input)}");
            return;
        }

        tally.Statuses[response.StatusCode] = tally.Statuses.GetValueOrDefault(response.StatusCode) + 1;
        var rejected = true;
        if (response.StatusCode == 200)
        {
            var reply = PkiMessage.Decode(response.Body);
            reply.VerifySignature(ScepAlgorithmPolicy.Legacy, [server.Credentials.SigningCertificate]);
            switch (reply.Status)
            {
                case PkiStatus.Success:
                    tally.Success++;
                    rejected = false;
                    break;
                case PkiStatus.Pending:
                    tally.Pending++;
                    rejected = false;
                    break;
                default:
                    tally.Failure++;
                    var failInfo = (reply.FailInfo ?? FailInfo.BadRequest).ToString();
                    tally.FailInfos[failInfo] = tally.FailInfos.GetValueOrDefault(failInfo) + 1;
                    break;
            }
        }
        else if (response.StatusCode is < 400 or >= 500)
        {
            tally.Violations.Add($"{sample.Name} {family}: HTTP {response.StatusCode} {Encoding.UTF8.GetString(response.Body.Span)}; input {Convert.ToHexString(input)}");
        }

        if (rejected && Snapshot(server) is var after && after != before)
        {
            tally.Violations.Add($"{sample.Name} {family}: a rejected input (HTTP {response.StatusCode}) changed the stores:\n  before {before}\n  after  {after}\n  input {Convert.ToHexString(input)}");
        }
    }

    /// <summary>Every record of the three stores with its version: any write shows.</summary>
    private static string Snapshot(ServerHarness server) =>
        string.Join(";", server.Transactions.Transactions.Select(t => $"{t.Alias}/{t.TransactionId}:{t.State}:{t.Version}").Order(StringComparer.Ordinal))
        + "|" + string.Join(";", server.Entities.Entities.Select(e => $"{e.Username}:{e.Status}:{e.Version}").Order(StringComparer.Ordinal))
        + "|" + server.Authority.IssuedCertificates.Count;

    private static async Task<List<Sample>> BuildSamplesAsync(ServerHarness server, TestCredential ca)
    {
        // A certificate this CA issued, for RenewalReq, GetCert and GetCRL (issued before the sweep starts).
        var issued = await server.IssueAsync("sweep-renewing", keySlot: 141);
        server.Entities.Add("sweep-ca", "code-sweep-ca");

        var raClient = server.NewClient("CN=sweep-ra", "ra-secret", keySlot: 142);
        var caClient = server.NewClient("CN=sweep-ca", "code-sweep-ca", keySlot: 143, encryption: ContentEncryptionAlgorithm.Aes256Cbc, digest: HashAlgorithmName.SHA512);
        var renewalKey = TestPki.CachedRsa(144, 1024);
        var renewalCsr = Scenario.Csr("CN=sweep-renewing", renewalKey, challenge: null);
        var serial = IssuerAndSerialNumber.FromCertificate(issued.Certificate);
        return
        [
            new("PKCSReq-RA", "ra", raClient.PkcsReq().Encode(), raClient.Signer.Key),
            new("PKCSReq-CA", "scep", caClient.PkcsReq().Encode(), caClient.Signer.Key),
            new("RenewalReq", "scep", PkiMessage.CreateRenewalReq(renewalCsr, server.Parameters(issued, encryption: ContentEncryptionAlgorithm.TripleDesCbc)).Encode(), issued.Key),
            new("CertPoll", "ra", raClient.Poll(ca.Certificate).Encode(), raClient.Signer.Key),
            new("GetCert", "ra", PkiMessage.CreateGetCert(serial, server.Parameters(issued)).Encode(), issued.Key),
            new("GetCRL", "ra", PkiMessage.CreateGetCrl(serial, server.Parameters(issued, digest: HashAlgorithmName.SHA1)).Encode(), issued.Key),
        ];
    }

    private static IEnumerable<byte[]> EnvelopeMutations(byte[] message)
    {
        var envelope = new SignedMessage(AsnNode.Parse(message)).EContent!;
        foreach (var corrupted in Mutations.Structural(envelope).Concat(Mutations.LengthFields(envelope)))
        {
            yield return MessageSurgery.Edit(message, m => m.EContent = corrupted);
        }
    }

    /// <summary>Structural edits of the signed attributes, signed again: the signature holds, so the attributes' meaning is what is tested.</summary>
    private static IEnumerable<byte[]> ResignedStructural(byte[] message, Action<SignedMessage> resign)
    {
        var attributes = new SignedMessage(AsnNode.Parse(message)).SignedAttributes.Encode();
        foreach (var corrupted in Mutations.Structural(attributes))
        {
            byte[]? edited;
            try
            {
                edited = MessageSurgery.Edit(message, m =>
                {
                    m.Signer.Children[3] = AsnNode.Parse(corrupted);
                    resign(m);
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Formats.Asn1.AsnContentException)
            {
                edited = null; // the edit removed what a re-signature needs (the messageDigest attribute's place): skip
            }

            if (edited is not null)
            {
                yield return edited;
            }
        }
    }
}
