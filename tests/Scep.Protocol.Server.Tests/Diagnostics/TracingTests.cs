using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Diagnostics;

/// <summary>
/// Issue 19, traces: a request is one server span on <see cref="ScepDiagnostics.ActivitySourceName"/> with the alias,
/// operation, messageType, outcome and status code, and the challenge check, the store's reservations, the authority
/// and the recorded decision are its children. Collected in process by a real <see cref="ActivityListener"/>.
/// </summary>
[NonParallelizable]
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ScepDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Test]
    public async Task Enrollment_IsOneServerSpanWithItsTags_AndTheStoreAndAuthorityCallsAreItsChildren()
    {
        using var server = ServerHarness.Create();
        _stopped.Clear();
        var client = server.NewClient("CN=traced-device", "ra-secret", keySlot: 12);

        (await client.EnrollAsync("ra")).Status.Should().Be(PkiStatus.Success);

        var request = _stopped.Should().ContainSingle(a => a.Kind == ActivityKind.Server).Subject;
        request.DisplayName.Should().Be("SCEP PKIOperation");
        request.GetTagItem("scep.alias").Should().Be("ra");
        request.GetTagItem("scep.operation").Should().Be("PKIOperation");
        request.GetTagItem("scep.message_type").Should().Be("PKCSReq");
        request.GetTagItem("scep.outcome").Should().Be("success");
        request.GetTagItem("http.response.status_code").Should().Be(200);
        request.Status.Should().Be(ActivityStatusCode.Unset);
        _stopped.Where(a => a.Kind == ActivityKind.Internal).Select(a => (a.OperationName, a.ParentSpanId))
            .Should().BeEquivalentTo(new[]
            {
                ("scep.challenge.validate", request.SpanId),
                ("scep.store.reserve_transaction", request.SpanId),
                ("scep.store.reserve_entity", request.SpanId),
                ("scep.authority.enroll", request.SpanId),
                ("scep.store.record_decision", request.SpanId),
            });
    }

    [Test]
    public async Task UnknownAlias_IsTaggedWithOneFixedValue_NotTheRequestedName()
    {
        using var server = ServerHarness.Create();
        _stopped.Clear();

        var response = await server.GetAsync("?operation=GetCACaps", alias: "random-" + Guid.NewGuid().ToString("N"));

        response.StatusCode.Should().Be(404);
        var request = _stopped.Should().ContainSingle().Subject;
        request.GetTagItem("scep.alias").Should().Be("(unknown)");
        request.GetTagItem("scep.outcome").Should().Be("not-found");
    }

    [Test]
    public async Task Refusal_IsTaggedFailure()
    {
        using var server = ServerHarness.Create();
        _stopped.Clear();

        var refused = await server.NewClient("CN=wrong", "not-the-challenge", keySlot: 13).EnrollAsync("ra");

        refused.Status.Should().Be(PkiStatus.Failure);
        _stopped.Should().ContainSingle(a => a.Kind == ActivityKind.Server).Which.GetTagItem("scep.outcome").Should().Be("failure");
    }
}
