using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Cli.Tests.Cli;

/// <summary>
/// <c>scep bench</c> against the fake server: what it counts and how it classifies failures. Never its speed: performance
/// is measured by running the tool (bench/compare.sh), not by tests.
/// </summary>
public class BenchCommandTests
{
    private TempDirectory _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _directory.Dispose();

    [Test]
    public async Task Bench_EveryReplyGood_CountsEveryEnrollmentAsVerified()
    {
        var server = new FakeScepServer();

        var run = await BenchAsync(server, "-n", "6", "-c", "3", "--warmup", "2", "--challenge", "pw");

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("verified     6 (").And.Contain("failures     none").And.Contain("duplicates   0 ");
        var json = Json();
        json.GetProperty("verified").GetInt32().Should().Be(6);
        json.GetProperty("failed").GetInt32().Should().Be(0);
        json.GetProperty("duplicateSerials").GetInt32().Should().Be(0);
        json.GetProperty("concurrency").GetInt32().Should().Be(3);
        json.GetProperty("rsaWorkMs").GetDouble().Should().BePositive();
        server.PkiOperations.Should().HaveCount(8, "6 measured and 2 warm-up enrollments");
        server.PkiOperations.Select(r => r.Message!.TransactionId).Should().OnlyHaveUniqueItems();
        server.PkiOperations.Select(r => Convert.ToHexString(r.Content!.CertificationRequest!.SubjectPublicKeyInfo.Span)).Should().OnlyHaveUniqueItems("every enrollment has its own key");
        server.PkiOperations.Select(r => r.Content!.CertificationRequest!.Subject.Name).Should().OnlyHaveUniqueItems();
        server.PkiOperations.Should().OnlyContain(r => r.Content!.CertificationRequest!.ChallengePassword == "pw");
    }

    [Test]
    public async Task Bench_ServerRefuses_CountsTheFailuresByFailInfoAndExitsWithOne()
    {
        var run = await BenchAsync(new FakeScepServer { Refusal = (FailInfo.BadRequest, "no") }, "-n", "4");

        run.ExitCode.Should().Be(ExitCodes.Refused);
        run.Output.Should().Contain("verified     0 (").And.Contain("failures     4 FAILURE badRequest");
        Json().GetProperty("failures").GetProperty("FAILURE badRequest").GetInt32().Should().Be(4);
    }

    [TestCase(ReplyTampering.IssuedForOtherKey, "invalid reply: no certificate for the key")]
    [TestCase(ReplyTampering.IssuedByStranger, "invalid reply: certificate not issued by the CA")]
    [TestCase(ReplyTampering.SignedByStranger, "invalid reply: SignerCertificateNotFound")]
    [TestCase(ReplyTampering.WrongRecipientNonce, "invalid reply: ReplyMismatch")]
    public async Task Bench_WrongAnswer_IsAFailureNotAnEnrollment(ReplyTampering tampering, string kind)
    {
        var run = await BenchAsync(new FakeScepServer { Tampering = tampering }, "-n", "2");

        run.ExitCode.Should().Be(ExitCodes.Refused);
        Json().GetProperty("verified").GetInt32().Should().Be(0);
        run.Output.Should().Contain("failures     2 " + kind);
    }

    [Test]
    public async Task Bench_WithPollInterval_PollsPendingAnswersUntilIssued()
    {
        var server = new FakeScepServer { PendingReplies = 2 };

        var run = await BenchAsync(server, "-n", "3", "--poll-interval", "0");

        run.ExitCode.Should().Be(0, run.Error);
        Json().GetProperty("verified").GetInt32().Should().Be(3);
        server.PkiOperations.Count(r => r.Message!.MessageType == MessageType.CertPoll).Should().Be(6, "two polls per enrollment before it is issued");
    }

    [Test]
    public async Task Bench_PendingWithoutPollInterval_IsAFailure()
    {
        var run = await BenchAsync(new FakeScepServer { PendingReplies = 1 }, "-n", "2");

        run.ExitCode.Should().Be(ExitCodes.Refused);
        run.Output.Should().Contain("failures     2 PENDING");
    }

    [Test]
    public async Task Bench_HttpError_IsCountedByStatus()
    {
        var run = await BenchAsync(new FakeScepServer { PkiOperationStatus = HttpStatusCode.InternalServerError }, "-n", "3");

        run.ExitCode.Should().Be(ExitCodes.Refused);
        run.Output.Should().Contain("failures     3 HTTP 500");
    }

    [Test]
    public async Task Bench_Pending_IsNotAVerifiedEnrollment()
    {
        var run = await BenchAsync(new FakeScepServer { PendingReplies = 1 }, "-n", "2");

        run.Output.Should().Contain("failures     2 PENDING");
    }

    [Test]
    public async Task Bench_KeyPool_KeepsTheKeysAndReadsPkcs8AndPkcs1Files()
    {
        var pool = _directory.File("pool");
        Directory.CreateDirectory(pool);
        using (var pkcs1 = RSA.Create(1024))
        {
            await File.WriteAllBytesAsync(Path.Combine(pool, "rsa1024-000000.p8"), pkcs1.ExportRSAPrivateKey());
        }

        var first = await BenchAsync(new FakeScepServer(), "-n", "2", "--key-pool", pool);
        var second = await BenchAsync(new FakeScepServer(), "-n", "2", "--key-pool", pool);

        first.Output.Should().Contain("keys         2 RSA 1024 (1 from the pool, 1 generated)");
        second.Output.Should().Contain("keys         2 RSA 1024 (2 from the pool, 0 generated)");
        second.ExitCode.Should().Be(0, second.Error);
    }

    [Test]
    public async Task Bench_ServerPid_ReportsCpuPerEnrollmentAndPeakMemory()
    {
        Assume.That(ProcessMeter.IsSupported, "needs Linux's /proc");

        var run = await BenchAsync(new FakeScepServer(), "-n", "2", "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain($"server       PID {Environment.ProcessId}: ").And.Contain("x the RSA work; peak RSS ");
        Json().GetProperty("serverPeakKiB").GetInt64().Should().BePositive();
    }

    [Test]
    public async Task Bench_ServerPidThatDoesNotExist_IsAUsageError()
    {
        Assume.That(ProcessMeter.IsSupported, "needs Linux's /proc");

        var run = await BenchAsync(new FakeScepServer(), "-n", "2", "--server-pid", "999999999");

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Error.Should().Contain("process 999999999 does not exist");
    }

    [Test]
    public void Statistics_RepeatedSerial_CountsDuplicatesAcrossWarmupAndRun()
    {
        var ticks = System.Diagnostics.Stopwatch.Frequency / 1000; // 1 ms
        EnrollmentOutcome[] outcomes =
        [
            new(null, "CA/01", 1 * ticks),
            new(null, "CA/02", 2 * ticks),
            new(null, "CA/01", 3 * ticks),
            new(null, "CA/09", 4 * ticks),
            new("HTTP 500", null, 100 * ticks),
        ];

        var statistics = BenchStatistics.From(outcomes, earlierSerials: ["CA/09"]);

        statistics.Verified.Should().Be(4);
        statistics.Failed.Should().Be(1);
        statistics.DuplicateSerials.Should().Be(2);
        statistics.Failures.Should().ContainSingle().Which.Should().Be(new System.Collections.Generic.KeyValuePair<string, int>("HTTP 500", 1));
        statistics.Percentile(50).Should().BeApproximately(2, 0.01);
        statistics.Percentile(100).Should().BeApproximately(4, 0.01, "latencies are those of verified enrollments");
    }

    private Task<CliRun> BenchAsync(FakeScepServer server, params string[] options) =>
        CliRunner.RunAsync(server, ["bench", CliRunner.Url, "--key-size", "1024", "--json", _directory.File("bench.json"), .. options]);

    private JsonElement Json() => JsonDocument.Parse(File.ReadAllBytes(_directory.File("bench.json"))).RootElement;
}
