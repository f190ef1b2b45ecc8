using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary>
/// <c>scep bench</c>: N enrollments by C concurrent clients against any SCEP URL, every reply verified, with
/// throughput, latency percentiles, failures by kind, duplicate serial numbers and, given the server's PID, the
/// server's CPU time per enrollment next to the RSA private-key work an enrollment needs.
/// </summary>
internal static class BenchCommand
{
    /// <summary>An enrollment needs three private-key operations of the CA: decrypt the content key, sign the certificate, sign the CertRep.</summary>
    private const int SignaturesPerEnrollment = 2;

    private const int DecryptionsPerEnrollment = 1;

    public static Command Create(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var count = new Option<int>("--count", "-n") { HelpName = "N", Description = "Enrollments in the measured run", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency", "-c") { HelpName = "C", Description = "Concurrent clients; each sends its next request when its reply is verified", DefaultValueFactory = _ => 4 };
        var warmup = new Option<int>("--warmup") { HelpName = "N", Description = "Enrollments before the clock starts, not counted (JIT, connection pools); their serial numbers still count for duplicates", DefaultValueFactory = _ => 0 };
        var challenge = new Option<string?>("--challenge") { HelpName = "PASSWORD", Description = "challengePassword put in every request (a static RA or micromdm challenge)" };
        var keySize = new Option<int>("--key-size") { HelpName = "BITS", Description = "RSA size of the device keys", DefaultValueFactory = _ => 2048 };
        var keyPool = new Option<string?>("--key-pool") { HelpName = "DIR", Description = "Keep generated device keys here and reuse them in later runs (key generation dominates preparation); one distinct key per enrollment within a run either way" };
        var prefix = new Option<string?>("--subject-prefix") { HelpName = "TEXT", Description = "Subjects are CN=<prefix><index>; by default bench-<random>- so that runs differ" };
        var serverPid = new Option<int?>("--server-pid") { HelpName = "PID", Description = "The server process (Linux): its CPU time (utime+stime) over the measured run per enrollment, and its peak memory" };
        var relayPid = new Option<int[]>("--relay-pid") { HelpName = "PID", Description = "Other processes on the path (relays, proxies): their CPU time, with their child processes', is reported separately; repeat for several", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var json = new Option<string?>("--json") { HelpName = "FILE", Description = "Also write the results as JSON" };
        var pollInterval = new Option<string?>("--poll-interval") { HelpName = "DURATION", Description = "Poll a PENDING answer with CertPoll at this interval until it is issued (for at most 5 minutes), as a device does: for an RA that queues for its CA; without it PENDING is a failure" };
        var command = new Command("bench", "Load test: N enrollments by C concurrent clients, keys and requests prepared before the clock, every reply verified (signature, nonces, decryption, certificate for our key, issued by the CA). Exit code 1 when any enrollment failed or a serial number repeated.")
        {
            count, concurrency, warmup, challenge, keySize, keyPool, prefix, serverPid, relayPid, json, pollInterval,
        };
        command.Arguments.Add(server.Url);
        command.Options.Add(server.CaIdent);
        command.Options.Add(server.CaFingerprint);
        command.Options.Add(server.Legacy);
        command.Options.Add(server.Method);
        command.Options.Add(server.Encryption);
        command.Options.Add(server.Digest);
        command.Options.Add(server.Timeout);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var settings = new BenchSettings
            {
                Count = result.GetValue(count),
                Concurrency = result.GetValue(concurrency),
                Warmup = result.GetValue(warmup),
                Challenge = result.GetValue(challenge),
                KeySize = result.GetValue(keySize),
                KeyPool = result.GetValue(keyPool),
                SubjectPrefix = result.GetValue(prefix) ?? "bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant() + "-",
                ServerPid = result.GetValue(serverPid),
                RelayPids = result.GetValue(relayPid) ?? [],
                JsonPath = result.GetValue(json),
                PollInterval = result.GetValue(pollInterval) is { } interval ? Format.ParseDuration(interval, "--poll-interval") : null,
            };
            settings.Validate();
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            return await RunAsync(environment, client, info, settings, server.GetUrl(result), token).ConfigureAwait(false);
        }, token));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, ScepClient client, ScepServerInfo info, BenchSettings settings, Uri url, CancellationToken cancellationToken)
    {
        var output = environment.Out;
        var runner = new BenchRunner(client, info) { PollInterval = settings.PollInterval };

        var clock = Stopwatch.StartNew();
        var (keys, loaded, generated) = KeyPool.Get(settings.Count + settings.Warmup, settings.KeySize, settings.KeyPool, cancellationToken);
        output.WriteLine(Invariant($"keys         {keys.Length} RSA {settings.KeySize} ({loaded} from the pool, {generated} generated) in {clock.Elapsed.TotalSeconds:0.0} s"));

        clock.Restart();
        var now = environment.Time.GetUtcNow();
        var warmupItems = runner.Prepare(keys[settings.Count..], settings.Count, settings.SubjectPrefix, settings.Challenge, now, cancellationToken);
        var items = runner.Prepare(keys[..settings.Count], 0, settings.SubjectPrefix, settings.Challenge, now, cancellationToken);
        var method = client.UsesPost(info) ? "POST" : "GET";
        output.WriteLine(Invariant($"prepared     {items.Length + warmupItems.Length} PKCSReq ({method}, {Format.Name(client.SelectContentEncryption(info))}, {Format.Name(client.SelectDigest(info))}, subjects CN={settings.SubjectPrefix}NNNNNN) in {clock.Elapsed.TotalSeconds:0.0} s"));

        using var caKey = info.CaCertificates.EncryptionCertificate.PublicKey.GetRSAPublicKey();
        var caKeySize = caKey?.KeySize ?? 2048;
        var (signBefore, decryptBefore) = MeasureRsa(caKeySize);

        var warmupSerials = new List<string>();
        var warmupFailed = 0;
        if (warmupItems.Length > 0)
        {
            var warmOutcomes = await runner.RunAsync(warmupItems, settings.Concurrency, cancellationToken).ConfigureAwait(false);
            warmupSerials.AddRange(warmOutcomes.Where(o => o.Verified).Select(o => o.IssuerAndSerial!));
            var warm = BenchStatistics.From(warmOutcomes);
            warmupFailed = warm.Failed + warm.DuplicateSerials;
            output.WriteLine($"warm-up      {warm.Verified} of {warm.Total} verified, not counted; failures: {FailureText(warm)}; duplicate serial numbers: {warm.DuplicateSerials}");
        }

        var serverBefore = settings.ServerPid is { } pid ? ProcessMeter.CpuMilliseconds(pid) : 0;
        var relaysBefore = settings.RelayPids.Sum(ProcessMeter.TreeCpuMilliseconds);
        var clientBefore = ProcessMeter.OwnCpuMilliseconds();
        using var sampling = new CancellationTokenSource();
        var sampler = settings.ServerPid is { } sampled ? SampleMemoryAsync(sampled, sampling.Token) : Task.FromResult(0L);
        clock.Restart();
        var outcomes = await runner.RunAsync(items, settings.Concurrency, cancellationToken).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var clientCpu = ProcessMeter.OwnCpuMilliseconds() - clientBefore;
        var serverCpu = settings.ServerPid is { } after ? ProcessMeter.CpuMilliseconds(after) - serverBefore : 0;
        var relayCpu = settings.RelayPids.Sum(ProcessMeter.TreeCpuMilliseconds) - relaysBefore;
        await sampling.CancelAsync().ConfigureAwait(false);
        var sampledPeakKiB = await sampler.ConfigureAwait(false);
        var memory = settings.ServerPid is { } memoryPid ? ProcessMeter.Memory(memoryPid) : (0, 0);

        // The reference is measured before and after the run, and averaged: on a shared machine the CPU cost of the
        // same work drifts with what else runs (caches, SMT siblings), and the run sits between the two.
        var (signAfter, decryptAfter) = MeasureRsa(caKeySize);
        var signMs = (signBefore + signAfter) / 2;
        var decryptMs = (decryptBefore + decryptAfter) / 2;
        var rsaWorkMs = (SignaturesPerEnrollment * signMs) + (DecryptionsPerEnrollment * decryptMs);
        output.WriteLine(Invariant($"RSA {caKeySize}     sign {signMs:0.000} ms, decrypt {decryptMs:0.000} ms (CPU per private-key operation in this process, mean of before and after the run: {signBefore:0.000}/{decryptBefore:0.000} and {signAfter:0.000}/{decryptAfter:0.000}); an enrollment's 2 signatures + 1 decryption: {rsaWorkMs:0.000} ms"));

        var statistics = BenchStatistics.From(outcomes, warmupSerials);
        var perSecond = statistics.Verified / elapsed.TotalSeconds;
        var report = new BenchReport
        {
            Url = url.ToString(),
            Settings = settings,
            ElapsedSeconds = elapsed.TotalSeconds,
            Statistics = statistics,
            VerifiedPerSecond = perSecond,
            RsaSignMs = signMs,
            RsaDecryptMs = decryptMs,
            RsaWorkMs = rsaWorkMs,
            CaKeySize = caKeySize,
            ClientCpuMsPerEnrollment = clientCpu / items.Length,
            ServerCpuMsPerEnrollment = settings.ServerPid is null ? null : serverCpu / items.Length,
            RelayCpuMsPerEnrollment = settings.RelayPids.Length == 0 ? null : relayCpu / items.Length,
            ServerPeakKiB = settings.ServerPid is null ? null : memory.Item2,
            ServerRssKiB = settings.ServerPid is null ? null : memory.Item1,
            ServerSampledPeakKiB = settings.ServerPid is null ? null : sampledPeakKiB,
        };
        report.Print(output);
        if (settings.JsonPath is { } path)
        {
            Files.WriteBytes(path, report.ToJson());
        }

        return statistics.Failed == 0 && statistics.DuplicateSerials == 0 && warmupFailed == 0 ? ExitCodes.Success : ExitCodes.Refused;
    }

    /// <summary>CPU time of one RSA private-key signature (SHA-256, PKCS#1) and decryption (PKCS#1 v1.5), on this thread.</summary>
    private static (double SignMs, double DecryptMs) MeasureRsa(int keySize)
    {
        const int Operations = 400;
        using var key = RSA.Create(keySize);
        var hash = SHA256.HashData("scep bench"u8);
        var encrypted = key.Encrypt(new byte[16], RSAEncryptionPadding.Pkcs1);
        for (var i = 0; i < 20; i++)
        {
            key.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            key.Decrypt(encrypted, RSAEncryptionPadding.Pkcs1);
        }

        var start = ProcessMeter.ThreadCpuMilliseconds();
        for (var i = 0; i < Operations; i++)
        {
            key.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        var signed = ProcessMeter.ThreadCpuMilliseconds();
        for (var i = 0; i < Operations; i++)
        {
            key.Decrypt(encrypted, RSAEncryptionPadding.Pkcs1);
        }

        var decrypted = ProcessMeter.ThreadCpuMilliseconds();
        return ((signed - start) / Operations, (decrypted - signed) / Operations);
    }

    /// <summary>The largest VmRSS seen every 50 ms until cancelled.</summary>
    private static async Task<long> SampleMemoryAsync(int pid, CancellationToken cancellationToken)
    {
        long peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            peak = Math.Max(peak, ProcessMeter.Memory(pid).RssKiB);
            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Math.Max(peak, ProcessMeter.Memory(pid).RssKiB);
    }

    internal static string FailureText(BenchStatistics statistics) =>
        statistics.Failures.Count == 0 ? "none" : string.Join(", ", statistics.Failures.Select(f => $"{f.Value} {f.Key}"));

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The options of one <c>scep bench</c> run.</summary>
internal sealed class BenchSettings
{
    public int Count { get; init; }

    public int Concurrency { get; init; }

    public int Warmup { get; init; }

    public string? Challenge { get; init; }

    public int KeySize { get; init; }

    public string? KeyPool { get; init; }

    public required string SubjectPrefix { get; init; }

    public int? ServerPid { get; init; }

    public int[] RelayPids { get; init; } = [];

    public string? JsonPath { get; init; }

    /// <summary>When set, a PENDING answer is polled at this interval (CertPoll) until issued (<see cref="BenchRunner.PollFor"/>).</summary>
    public TimeSpan? PollInterval { get; init; }

    public void Validate()
    {
        if (Count < 1)
        {
            throw new CliUsageException("--count must be at least 1.");
        }

        if (Concurrency < 1)
        {
            throw new CliUsageException("--concurrency must be at least 1.");
        }

        if (Warmup < 0)
        {
            throw new CliUsageException("--warmup cannot be negative.");
        }

        if (KeySize is < 1024 or > 8192)
        {
            throw new CliUsageException("--key-size must be between 1024 and 8192.");
        }

        foreach (var pid in ServerPid is { } server ? RelayPids.Prepend(server) : RelayPids)
        {
            if (!ProcessMeter.Exists(pid))
            {
                throw new CliUsageException(ProcessMeter.IsSupported
                    ? $"process {pid} does not exist or /proc/{pid} is not readable."
                    : "--server-pid and --relay-pid need Linux's /proc.");
            }
        }
    }
}

/// <summary>The results of a run, as text and as JSON.</summary>
internal sealed class BenchReport
{
    public required string Url { get; init; }

    public required BenchSettings Settings { get; init; }

    public required double ElapsedSeconds { get; init; }

    public required BenchStatistics Statistics { get; init; }

    public required double VerifiedPerSecond { get; init; }

    public required double RsaSignMs { get; init; }

    public required double RsaDecryptMs { get; init; }

    public required double RsaWorkMs { get; init; }

    public required int CaKeySize { get; init; }

    public required double ClientCpuMsPerEnrollment { get; init; }

    public double? ServerCpuMsPerEnrollment { get; init; }

    public double? RelayCpuMsPerEnrollment { get; init; }

    public long? ServerPeakKiB { get; init; }

    public long? ServerRssKiB { get; init; }

    public long? ServerSampledPeakKiB { get; init; }

    public void Print(TextWriter output)
    {
        var s = Statistics;
        output.WriteLine(BenchCommand.Invariant($"run          {s.Total} enrollments, {Settings.Concurrency} concurrent clients, {ElapsedSeconds:0.000} s"));
        output.WriteLine(BenchCommand.Invariant($"verified     {s.Verified} ({VerifiedPerSecond:0.0} verified enrollments/s)"));
        output.WriteLine(BenchCommand.Invariant($"latency      p50 {s.Percentile(50):0.0} ms, p95 {s.Percentile(95):0.0} ms, p99 {s.Percentile(99):0.0} ms (verified enrollments, request sent to reply verified)"));
        output.WriteLine($"failures     {BenchCommand.FailureText(s)}");
        output.WriteLine(BenchCommand.Invariant($"duplicates   {s.DuplicateSerials} certificates with an issuer and serial number seen before in this run"));
        if (ServerCpuMsPerEnrollment is { } server)
        {
            output.WriteLine(BenchCommand.Invariant($"server       PID {Settings.ServerPid}: {server:0.000} ms CPU per enrollment = {server / RsaWorkMs:0.00} x the RSA work; peak RSS {ServerPeakKiB / 1024.0:0.0} MiB (VmHWM), {ServerSampledPeakKiB / 1024.0:0.0} MiB sampled during the run"));
        }

        if (RelayCpuMsPerEnrollment is { } relays)
        {
            output.WriteLine(BenchCommand.Invariant($"relays       PID {string.Join(", ", Settings.RelayPids)}: {relays:0.000} ms CPU per enrollment"));
        }

        output.WriteLine(BenchCommand.Invariant($"client       {ClientCpuMsPerEnrollment:0.000} ms CPU per enrollment (this process: sending and verifying)"));
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            var s = Statistics;
            json.WriteStartObject();
            json.WriteString("url", Url);
            json.WriteNumber("count", s.Total);
            json.WriteNumber("concurrency", Settings.Concurrency);
            json.WriteNumber("warmup", Settings.Warmup);
            json.WriteNumber("keySize", Settings.KeySize);
            json.WriteNumber("elapsedSeconds", ElapsedSeconds);
            json.WriteNumber("verified", s.Verified);
            json.WriteNumber("verifiedPerSecond", VerifiedPerSecond);
            json.WriteStartObject("latencyMs");
            json.WriteNumber("p50", s.Percentile(50));
            json.WriteNumber("p95", s.Percentile(95));
            json.WriteNumber("p99", s.Percentile(99));
            json.WriteNumber("max", s.Percentile(100));
            json.WriteEndObject();
            json.WriteNumber("failed", s.Failed);
            json.WriteStartObject("failures");
            foreach (var (kind, number) in s.Failures)
            {
                json.WriteNumber(kind, number);
            }

            json.WriteEndObject();
            json.WriteNumber("duplicateSerials", s.DuplicateSerials);
            json.WriteNumber("caKeySize", CaKeySize);
            json.WriteNumber("rsaSignMs", RsaSignMs);
            json.WriteNumber("rsaDecryptMs", RsaDecryptMs);
            json.WriteNumber("rsaWorkMs", RsaWorkMs);
            json.WriteNumber("clientCpuMsPerEnrollment", ClientCpuMsPerEnrollment);
            WriteOptional(json, "serverPid", Settings.ServerPid);
            WriteOptional(json, "serverCpuMsPerEnrollment", ServerCpuMsPerEnrollment);
            WriteOptional(json, "serverCpuOverRsaWork", ServerCpuMsPerEnrollment / RsaWorkMs);
            WriteOptional(json, "serverPeakKiB", ServerPeakKiB);
            WriteOptional(json, "serverRssKiB", ServerRssKiB);
            WriteOptional(json, "serverSampledPeakKiB", ServerSampledPeakKiB);
            WriteOptional(json, "relayCpuMsPerEnrollment", RelayCpuMsPerEnrollment);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
