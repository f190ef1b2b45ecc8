using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary>One enrollment of <c>scep bench</c>, made before the clock starts: key, PKCS#10, signer and the signed PKCSReq.</summary>
internal sealed class PreparedEnrollment
{
    public required RSA Key { get; init; }

    public required ScepSigner Signer { get; init; }

    public required EnrollmentTransaction Transaction { get; init; }

    public required PkiMessage Request { get; init; }
}

/// <summary>What happened to one enrollment: verified (with the issued certificate's issuer and serial) or the kind of failure.</summary>
internal readonly record struct EnrollmentOutcome(string? FailureKind, string? IssuerAndSerial, long LatencyTicks)
{
    public bool Verified => FailureKind is null;
}

/// <summary>Prepares enrollments and runs them against a server with a number of concurrent clients, verifying every reply.</summary>
internal sealed class BenchRunner(ScepClient client, ScepServerInfo server)
{
    /// <summary>When set, a PENDING answer is polled (CertPoll, same transaction and signer) at this interval, as a device does.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>How long a PENDING enrollment is polled before it counts as a failure ("PENDING").</summary>
    public TimeSpan PollFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A PKCSReq per key: subject <c>CN={prefix}{index}</c>, challengePassword when given, a self-signed signer over
    /// the same key (RFC 8894 §2.3), a random transactionID, the algorithms the client would pick for this server.
    /// </summary>
    public PreparedEnrollment[] Prepare(IReadOnlyList<RSA> keys, int firstIndex, string subjectPrefix, string? challenge, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var encryption = client.SelectContentEncryption(server);
        var digest = client.SelectDigest(server);
        var prepared = new PreparedEnrollment[keys.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, keys.Count, parallel, i =>
        {
            var key = keys[i];
            var subject = new X500DistinguishedName("CN=" + subjectPrefix + (firstIndex + i).ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
            var csr = new Pkcs10RequestBuilder(subject) { ChallengePassword = challenge }.Build(key, HashAlgorithmName.SHA256);
            var signer = ScepSigner.CreateSelfSigned(key, subject, now);
            var transaction = EnrollmentTransaction.Create(ScepTransactionId.CreateRandom(), MessageType.PKCSReq, subject, csr.PublicKey, signer);
            var request = PkiMessage.CreatePkcsReq(csr, new PkiRequestParameters
            {
                TransactionId = transaction.TransactionId,
                SignerCertificate = signer.Certificate,
                SignerKey = key,
                RecipientCertificate = server.CaCertificates.EncryptionCertificate,
                ContentEncryption = encryption,
                DigestAlgorithm = digest,
                SigningTime = now,
            });
            prepared[i] = new PreparedEnrollment { Key = key, Signer = signer, Transaction = transaction, Request = request };
        });
        return prepared;
    }

    /// <summary>Sends every enrollment, <paramref name="concurrency"/> at a time, each client taking the next one when its reply is verified.</summary>
    public async Task<EnrollmentOutcome[]> RunAsync(IReadOnlyList<PreparedEnrollment> enrollments, int concurrency, CancellationToken cancellationToken)
    {
        var outcomes = new EnrollmentOutcome[enrollments.Count];
        var next = -1;
        async Task Worker()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < enrollments.Count)
            {
                outcomes[index] = await EnrollAsync(enrollments[index], cancellationToken).ConfigureAwait(false);
            }
        }

        var workers = Enumerable.Range(0, Math.Min(concurrency, Math.Max(1, enrollments.Count))).Select(_ => Task.Run(Worker, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>
    /// One exchange and every check a client makes: the CertRep is signed by a GetCACert certificate, answers our
    /// transactionID and senderNonce (<see cref="ScepClient.SendPkiOperationAsync"/>), decrypts with our key, holds a
    /// certificate for our key, and that certificate is signed by a GetCACert certificate (or by an intermediate in the
    /// reply that one signed). Anything less is a failure, whatever the server said.
    /// </summary>
    public async Task<EnrollmentOutcome> EnrollAsync(PreparedEnrollment enrollment, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        string? failure;
        string? issuerAndSerial = null;
        try
        {
            var reply = await client.SendPkiOperationAsync(server, enrollment.Request, cancellationToken).ConfigureAwait(false);
            if (reply.Status == PkiStatus.Pending && PollInterval is { } interval)
            {
                var polling = Stopwatch.StartNew();
                while (reply.Status == PkiStatus.Pending && polling.Elapsed < PollFor)
                {
                    await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                    reply = (await client.PollOnceAsync(server, enrollment.Transaction, cancellationToken).ConfigureAwait(false)).Reply;
                }
            }

            failure = reply.Status switch
            {
                PkiStatus.Success => null,
                PkiStatus.Pending => "PENDING",
                _ => "FAILURE " + Format.Short(reply.FailInfo ?? FailInfo.BadRequest),
            };
            if (failure is null)
            {
                (failure, issuerAndSerial) = CheckIssued(reply, enrollment);
            }
        }
        catch (ScepTransportException e)
        {
            failure = e.StatusCode is { } status ? $"HTTP {(int)status}" : e.InnerException is OperationCanceledException ? "time-out" : "network";
        }
        catch (ScepException e)
        {
            failure = "invalid reply: " + e.Reason;
        }
        catch (CryptographicException)
        {
            failure = "invalid reply: cryptography";
        }

        return new EnrollmentOutcome(failure, issuerAndSerial, Stopwatch.GetTimestamp() - started);
    }

    private (string? Failure, string? IssuerAndSerial) CheckIssued(PkiMessage reply, PreparedEnrollment enrollment)
    {
        var content = reply.Decrypt(enrollment.Signer.Certificate, enrollment.Signer.Key, client.Options.AlgorithmPolicy);
        if (content.CertificateSet is not { } set)
        {
            return ("invalid reply: no certificates", null);
        }

        var issued = set.Certificates.FirstOrDefault(enrollment.Transaction.IsForRequestedKey);
        if (issued is null)
        {
            return ("invalid reply: no certificate for the key", null);
        }

        if (!server.CaCertificates.HaveIssued(issued, set.Certificates))
        {
            return ("invalid reply: certificate not issued by the CA", null);
        }

        return (null, Convert.ToHexString(issued.IssuerName.RawData) + "/" + Convert.ToHexString(issued.SerialNumberBytes.Span));
    }
}

/// <summary>Counts and percentiles over the outcomes of a run.</summary>
internal sealed class BenchStatistics
{
    private BenchStatistics(int total, int verified, IReadOnlyDictionary<string, int> failures, int duplicateSerials, double[] latenciesMs)
    {
        Total = total;
        Verified = verified;
        Failures = failures;
        DuplicateSerials = duplicateSerials;
        LatenciesMs = latenciesMs;
    }

    public int Total { get; }

    public int Verified { get; }

    /// <summary>Failures by kind, most frequent first.</summary>
    public IReadOnlyDictionary<string, int> Failures { get; }

    /// <summary>Verified certificates whose issuer and serial number an earlier certificate of the run already had.</summary>
    public int DuplicateSerials { get; }

    /// <summary>Latencies of the verified enrollments, sorted.</summary>
    public double[] LatenciesMs { get; }

    public int Failed => Total - Verified;

    /// <summary>Duplicates are counted over <paramref name="outcomes"/> together with <paramref name="earlierSerials"/> (the warm-up's).</summary>
    public static BenchStatistics From(IReadOnlyList<EnrollmentOutcome> outcomes, IEnumerable<string>? earlierSerials = null)
    {
        var seen = new HashSet<string>(earlierSerials ?? [], StringComparer.Ordinal);
        var duplicates = 0;
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        var latencies = new List<double>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            if (!outcome.Verified)
            {
                failures[outcome.FailureKind!] = failures.GetValueOrDefault(outcome.FailureKind!) + 1;
                continue;
            }

            if (!seen.Add(outcome.IssuerAndSerial!))
            {
                duplicates++;
            }

            latencies.Add(outcome.LatencyTicks * 1000.0 / Stopwatch.Frequency);
        }

        latencies.Sort();
        var ordered = failures.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        return new BenchStatistics(outcomes.Count, latencies.Count, ordered, duplicates, [.. latencies]);
    }

    /// <summary>The nearest-rank percentile of the verified latencies; 0 when there are none.</summary>
    public double Percentile(double percent)
    {
        if (LatenciesMs.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * LatenciesMs.Length);
        return LatenciesMs[Math.Clamp(rank - 1, 0, LatenciesMs.Length - 1)];
    }
}
