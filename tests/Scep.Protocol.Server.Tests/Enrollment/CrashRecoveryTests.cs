using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>
/// A server that stops in the middle of an enrollment (a crash, SIGKILL) leaves its transaction and end entity
/// InProcess. Once that reservation is stale, the authority's record of issued certificates settles it
/// (<see cref="IEnrollmentAuthority.FindIssuedAsync"/>): a certificate issued before the crash is returned to a
/// re-send or a poll and is never issued a second time, and the one-time code it used stays spent. The crash is
/// modelled by an authority that never returns: the first request stays in flight, as a dead process's would.
/// </summary>
public class CrashRecoveryTests
{
    private static readonly TimeSpan PastStale = TimeSpan.FromMinutes(6);

    /// <summary>Issues (or not) with the in-memory authority, then never returns until the test ends.</summary>
    private sealed class FreezingAuthority : IEnrollmentAuthority
    {
        public InMemoryEnrollmentAuthority Inner { get; set; } = null!;

        public bool IssueBeforeFreezing { get; init; } = true;

        public int Frozen;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref Frozen, 1) == 1)
            {
                return await Inner.EnrollAsync(context, cancellationToken);
            }

            if (IssueBeforeFreezing)
            {
                await Inner.EnrollAsync(context, cancellationToken);
            }

            Reached.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken) => Inner.GetPendingDecisionAsync(pending, cancellationToken);

        public ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken) => Inner.FindCertificateAsync(caName, certificate, cancellationToken);

        public ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken) => Inner.GetCertificateStatusAsync(caName, certificate, cancellationToken);

        public ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken) => Inner.FindIssuedAsync(query, cancellationToken);
    }

    private static (ServerHarness Server, FreezingAuthority Authority) Create(bool issueBeforeFreezing = true)
    {
        var authority = new FreezingAuthority { IssueBeforeFreezing = issueBeforeFreezing };
        var server = ServerHarness.Create(build: b => b.AddEnrollmentAuthority(authority));
        authority.Inner = server.Authority;
        return (server, authority);
    }

    /// <summary>Sends <paramref name="request"/> and waits until the authority holds it: the "crash".</summary>
    private static async Task<CancellationTokenSource> CrashDuringAsync(ServerHarness server, FreezingAuthority authority, PkiMessage request)
    {
        var inFlight = new CancellationTokenSource();
        _ = server.Handler.HandleAsync(new ScepHttpRequest { Method = "POST", QueryString = "?operation=PKIOperation", Body = request.RawData }, inFlight.Token).AsTask();
        await authority.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return inFlight;
    }

    [Test]
    public async Task ReSentRequest_AfterACrashThatFollowedIssuance_ReturnsThatCertificateAndIssuesNoOther()
    {
        var (server, authority) = Create();
        using var _ = server;
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();
        using var crashed = await CrashDuringAsync(server, authority, request);
        var issuedBeforeTheCrash = server.Authority.IssuedCertificates.Single();

        server.Advance(PastStale);
        var reply = server.ReplyFrom(await server.PostAsync(request.RawData), request);

        client.IssuedFrom(reply).RawData.Should().Equal(issuedBeforeTheCrash.RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
        server.Transactions.Transactions.Single().State.Should().Be(ScepTransactionState.Issued);
        (await server.Entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
        await crashed.CancelAsync();
    }

    [Test]
    public async Task NewRequestWithTheSameCode_AfterACrashThatFollowedIssuance_IsRefused()
    {
        var (server, authority) = Create();
        using var _ = server;
        server.Entities.Add("device-1", "code-123");
        using var crashed = await CrashDuringAsync(server, authority, server.NewClient("CN=device-1", "code-123", keySlot: 10).PkcsReq());

        server.Advance(PastStale);
        var reply = await server.NewClient("CN=device-1", "code-123", keySlot: 11).EnrollAsync();

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        server.Authority.IssuedCertificates.Should().ContainSingle("the one-time code was spent by the certificate issued before the crash");
        (await server.Entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
        await crashed.CancelAsync();
    }

    [Test]
    public async Task CertPoll_AfterACrashThatFollowedIssuance_ReturnsThatCertificate()
    {
        var (server, authority) = Create();
        using var _ = server;
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        using var crashed = await CrashDuringAsync(server, authority, client.PkcsReq());

        server.Advance(PastStale);
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        client.IssuedFrom(reply).RawData.Should().Equal(server.Authority.IssuedCertificates.Single().RawData);
        await crashed.CancelAsync();
    }

    [Test]
    public async Task ReSentRequest_AfterACrashBeforeIssuance_IsIssuedOnceWhenStale()
    {
        var (server, authority) = Create(issueBeforeFreezing: false);
        using var _ = server;
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();
        using var crashed = await CrashDuringAsync(server, authority, request);

        var whileFresh = server.ReplyFrom(await server.PostAsync(request.RawData), request);
        server.Advance(PastStale);
        var afterStale = server.ReplyFrom(await server.PostAsync(request.RawData), request);

        whileFresh.Status.Should().Be(PkiStatus.Pending, "the reservation blocks for StaleReservationTimeout");
        client.IssuedFrom(afterStale);
        server.Authority.IssuedCertificates.Should().ContainSingle();
        await crashed.CancelAsync();
    }

    [Test]
    public async Task ReSentRequest_AfterACrashBetweenTheTransactionAndTheEntityUpdate_SettlesTheEntity()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();
        var first = client.IssuedFrom(server.ReplyFrom(await server.PostAsync(request.RawData), request));
        // What a kill right after the transaction was recorded as Issued leaves: the entity still reserved.
        var entity = (await server.Entities.FindAsync("device-1", default))!;
        (await server.Entities.TryUpdateAsync(entity with { Status = EndEntityStatus.InProcess, StatusChangedAt = server.Now.AddSeconds(-1), Version = entity.Version + 1 }, entity.Version, default)).Should().BeTrue();

        var again = client.IssuedFrom(server.ReplyFrom(await server.PostAsync(request.RawData), request));

        again.RawData.Should().Equal(first.RawData);
        (await server.Entities.FindAsync("device-1", default))!.Status.Should().Be(EndEntityStatus.Generated);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }
}
