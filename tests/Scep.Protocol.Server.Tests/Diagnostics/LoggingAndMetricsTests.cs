using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Diagnostics;

/// <summary>Issue point 12: what the pipeline logs (and never logs), and its metrics on the meter <c>Scep.Protocol.Server</c>.</summary>
public class LoggingAndMetricsTests
{
    private const string Meter = "Scep.Protocol.Server";

    private static string? State(FakeLogRecord record, string key) =>
        record.StructuredState?.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>Everything a record could expose: message, state values, exception and scopes.</summary>
    private static IEnumerable<string> Texts(FakeLogRecord record)
    {
        yield return record.Message;
        foreach (var pair in record.StructuredState ?? [])
        {
            yield return pair.Key;
            yield return pair.Value ?? string.Empty;
        }

        yield return record.Exception?.ToString() ?? string.Empty;
        foreach (var scope in record.Scopes)
        {
            yield return scope?.ToString() ?? string.Empty;
        }
    }

    [Test]
    public async Task PkiOperation_LogsAliasOperationMessageTypeTransactionIdAndOutcome()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret", transactionId: "tid-logged-1");

        await client.EnrollAsync("ra");

        var record = server.Logs.GetSnapshot().Single(r => State(r, "TransactionId") == "tid-logged-1");
        record.Message.Should().Contain("PKIOperation");
        State(record, "Alias").Should().Be("ra");
        State(record, "MessageType").Should().Be("PKCSReq");
        State(record, "Status").Should().Be("Success");
        record.Message.Should().EndWith("transactionID=tid-logged-1: Success", "a reply without failInfo names none (it read \"Success (null)\")");
        State(record, "FailInfo").Should().BeNull();
    }

    [Test]
    public async Task PkiOperationFailure_LogsTheFailInfo()
    {
        using var server = ServerHarness.Create();

        await server.NewClient("CN=device-1", "wrong", transactionId: "tid-logged-2").EnrollAsync("ra");

        var record = server.Logs.GetSnapshot().Single(r => State(r, "TransactionId") == "tid-logged-2");
        State(record, "Status").Should().Be("Failure");
        State(record, "FailInfo").Should().Be("BadRequest");
        record.Message.Should().EndWith("transactionID=tid-logged-2: Failure BadRequest");
    }

    [Test]
    public async Task RefusedRequests_AreLoggedWithTheAliasAndTheReason()
    {
        using var server = ServerHarness.Create();

        await server.PostAsync(new byte[] { 0x01, 0x02 }, "ra");
        await server.GetAsync("operation=GetCACert", "no-such-alias");

        var records = server.Logs.GetSnapshot();
        records.Should().Contain(r => State(r, "Alias") == "ra" && State(r, "Operation") == "PKIOperation");
        records.Should().Contain(r => State(r, "Alias") == "no-such-alias" && r.Message.Contains("unknown alias"));
    }

    [Test]
    public async Task ChallengePasswordsAndEnrollmentCodes_NeverAppearInAnyLogRecord()
    {
        const string caCode = "code-SECRET-1234";
        const string raSecret = "ra-SECRET-5678";
        const string wrongGuess = "guess-SECRET-9012";
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RaChallenge = raSecret);
        server.Entities.Add("device-1", caCode);
        server.Entities.Add("device-2", "another-SECRET-3456");

        await server.NewClient("CN=device-1", caCode, keySlot: 10).EnrollAsync();
        await server.NewClient("CN=device-1", caCode, keySlot: 11).EnrollAsync();
        await server.NewClient("CN=device-2", wrongGuess, keySlot: 12).EnrollAsync();
        await server.NewClient("CN=device-3", raSecret, keySlot: 13).EnrollAsync("ra");
        await server.NewClient("CN=device-4", wrongGuess, keySlot: 14).EnrollAsync("ra", usePost: false);

        var records = server.Logs.GetSnapshot();
        records.Should().HaveCountGreaterThanOrEqualTo(5, "every PKIOperation was logged");
        var texts = records.SelectMany(Texts).ToList();
        texts.Should().NotContain(t => t.Contains("SECRET", StringComparison.OrdinalIgnoreCase));
    }

    [Test]
    public async Task Requests_AreCountedByAliasOperationAndOutcome()
    {
        using var server = ServerHarness.Create();
        using var requests = new MetricCollector<long>(server.Meters, Meter, "scep.server.requests");

        await server.GetAsync("operation=GetCACaps", "ra");
        await server.NewClient("CN=device-1", "ra-secret", keySlot: 10).EnrollAsync("ra");
        await server.NewClient("CN=device-2", "wrong", keySlot: 11).EnrollAsync("ra");
        await server.GetAsync("operation=GetCACert", "no-such-alias");

        var measurements = requests.GetMeasurementSnapshot();
        measurements.Should().HaveCount(4);
        measurements.Should().OnlyContain(m => m.Value == 1);
        measurements.Select(m => (m.Tags["scep.alias"], m.Tags["scep.operation"], m.Tags["scep.outcome"])).Should().Equal(
            ("ra", "GetCACaps", "ok"),
            ("ra", "PKIOperation", "success"),
            ("ra", "PKIOperation", "failure"),
            ("(unknown)", "GetCACert", "not-found"));
    }

    [Test]
    public async Task UnknownAliases_ShareOneTagValue_SoRandomUrlsCannotGrowTheMetrics()
    {
        using var server = ServerHarness.Create();
        using var requests = new MetricCollector<long>(server.Meters, Meter, "scep.server.requests");

        foreach (var alias in new[] { "a1", "b2", "c3" })
        {
            await server.GetAsync("operation=GetCACaps", alias);
        }

        requests.GetMeasurementSnapshot().Select(m => m.Tags["scep.alias"]).Distinct().Should().Equal("(unknown)");
    }

    [Test]
    public async Task UntrustedAliasAndOperation_AreLoggedWithoutControlCharacters()
    {
        using var server = ServerHarness.Create();

        await server.GetAsync("operation=GetCACert%0D%0AINFO forged line", "no\nalias\r\nINFO forged");
        await server.Handler.HandleAsync(new ScepHttpRequest { Method = "GET", Alias = "evil\r\nINFO forged", QueryString = "operation=Get%0AForged" }, default);

        var values = server.Logs.GetSnapshot().SelectMany(r => (r.StructuredState ?? []).Select(p => p.Value ?? string.Empty).Append(r.Message)).ToList();
        values.Should().NotContain(v => v.Contains('\n') || v.Contains('\r'));
    }

    [Test]
    public async Task EveryRequest_LogsItsAliasOperationAndOutcomeAtDebugLevel()
    {
        using var server = ServerHarness.Create();

        await server.GetAsync("operation=GetCACert", "ra");
        await server.PostAsync(new byte[2000], "ra", "operation=GetCACaps");

        var completed = server.Logs.GetSnapshot().Where(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug).ToList();
        completed.Select(r => (State(r, "Alias"), State(r, "Operation"), State(r, "Outcome"), State(r, "StatusCode"))).Should().Equal(
            ("ra", "GetCACert", "ok", "200"),
            ("ra", "GetCACaps", "bad-method", "405"));
    }

    [Test]
    public async Task IssuedCertificates_AreCountedOnce_AlsoWhenDeliveredByAPoll()
    {
        using var server = ServerHarness.Create();
        using var issued = new MetricCollector<long>(server.Meters, Meter, "scep.server.certificates_issued");
        await server.NewClient("CN=device-1", "ra-secret", keySlot: 10).EnrollAsync("ra");
        server.Authority.RequireApproval = true;
        var held = server.NewClient("CN=device-2", "ra-secret", keySlot: 11);
        await held.EnrollAsync("ra");

        server.Authority.Approve(server.Authority.PendingReferences.Single());
        await server.SendAsync(held.Poll(server.Ca.Certificate), "ra");
        await server.SendAsync(held.Poll(server.Ca.Certificate), "ra");

        issued.GetMeasurementSnapshot().Should().HaveCount(2, "one direct issuance and one approved; the second poll re-delivers");
        issued.GetMeasurementSnapshot().Should().OnlyContain(m => (string?)m.Tags["scep.alias"] == "ra");
    }

    [Test]
    public async Task Failures_AreCountedByFailInfo()
    {
        using var server = ServerHarness.Create();
        using var failures = new MetricCollector<long>(server.Meters, Meter, "scep.server.failures");

        await server.NewClient("CN=device-1", "wrong", keySlot: 10).EnrollAsync("ra");
        await server.NewClient("CN=device-2", "ra-secret", keySlot: 11, digest: System.Security.Cryptography.HashAlgorithmName.MD5).EnrollAsync("ra");
        await server.NewClient("CN=device-3", "ra-secret", keySlot: 12).EnrollAsync("ra");

        failures.GetMeasurementSnapshot().Select(m => m.Tags["scep.fail_info"]).Should().Equal("BadRequest", "BadAlg");
    }

    [Test]
    public async Task Duration_IsRecordedForEveryRequestInMilliseconds()
    {
        using var server = ServerHarness.Create();
        using var duration = new MetricCollector<double>(server.Meters, Meter, "scep.server.request.duration");

        await server.GetAsync("operation=GetCACaps", "ra");
        await server.NewClient("CN=device-1", "ra-secret").EnrollAsync("ra");
        await server.PostAsync(new byte[] { 0x05 }, "ra");

        var measurements = duration.GetMeasurementSnapshot();
        duration.Instrument!.Unit.Should().Be("ms");
        measurements.Should().HaveCount(3);
        measurements.Should().OnlyContain(m => m.Value >= 0);
        measurements.Select(m => m.Tags["scep.operation"]).Should().Equal("GetCACaps", "PKIOperation", "PKIOperation");
    }

    [Test]
    public async Task Metrics_OfOneServer_AreNotSeenByAnother()
    {
        using var first = ServerHarness.Create();
        using var second = ServerHarness.Create();
        using var requests = new MetricCollector<long>(first.Meters, Meter, "scep.server.requests");

        await second.GetAsync("operation=GetCACaps");

        requests.GetMeasurementSnapshot().Should().BeEmpty();
    }
}
