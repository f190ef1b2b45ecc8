using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;

namespace Scep.Protocol.Client.Tests.Client;

public class ScepClientPollingTests
{
    private static readonly PollingOptions Schedule = new()
    {
        InitialInterval = TimeSpan.FromSeconds(10),
        BackoffMultiplier = 2,
        MaxInterval = TimeSpan.FromSeconds(30),
        Timeout = TimeSpan.FromMinutes(5),
        MaxAttempts = 20,
    };

    [Test]
    public async Task PollAsync_PendingThenIssued_PollsWithBackOffAndSameTransaction()
    {
        var server = new FakeScepServer { PendingReplies = 3 };
        var clock = new AutoAdvancingTimeProvider(FakeScepServer.Now);
        var client = ClientFixture.Create(server, new ScepClientOptions { TimeProvider = clock });
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);
        var progress = new List<PollProgress>();

        var result = await client.PollAsync(info, first.Transaction, Schedule, new SynchronousProgress(progress));

        first.Status.Should().Be(EnrollmentStatus.Pending);
        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Certificate!.PublicKey.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
        clock.Delays.Should().Equal(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        progress.Select(p => p.Attempt).Should().Equal(1, 2, 3);
        progress.Select(p => p.NextPollIn).Should().Equal(clock.Delays);

        var polls = server.PkiOperations.Skip(1).Select(r => r.Message!).ToList();
        polls.Should().HaveCount(3).And.OnlyContain(m => m.MessageType == MessageType.CertPoll);
        polls.Select(m => m.TransactionId).Should().OnlyContain(id => id == first.TransactionId);
        polls.Select(m => Convert.ToHexString(m.SenderNonce.Span)).Should().OnlyHaveUniqueItems();
        polls.Select(m => m.SignerCertificate!.Thumbprint).Should().OnlyContain(t => t == first.Request.SignerCertificate!.Thumbprint);
        var issuerAndSubject = server.PkiOperations[^1].Content!.IssuerAndSubject!;
        issuerAndSubject.Subject.Name.Should().Be("CN=device-1, O=Example");
        issuerAndSubject.Issuer.RawData.Should().Equal(server.Ca.Certificate.SubjectName.RawData);
    }

    [Test]
    public async Task PollAsync_StillPendingAtTimeout_ReturnsPendingAfterCuttingTheLastWait()
    {
        var server = new FakeScepServer { PendingReplies = 1000 };
        var clock = new AutoAdvancingTimeProvider(FakeScepServer.Now);
        var client = ClientFixture.Create(server, new ScepClientOptions { TimeProvider = clock });
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);

        var result = await client.PollAsync(info, first.Transaction, new PollingOptions
        {
            InitialInterval = TimeSpan.FromSeconds(10),
            BackoffMultiplier = 2,
            MaxInterval = TimeSpan.FromMinutes(10),
            Timeout = TimeSpan.FromMinutes(1),
        });

        result.Status.Should().Be(EnrollmentStatus.Pending);
        clock.Delays.Should().Equal(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        server.PkiOperations.Count(r => r.Message!.MessageType == MessageType.CertPoll).Should().Be(3);
    }

    [Test]
    public async Task PollAsync_MaxAttemptsReached_StopsPolling()
    {
        var server = new FakeScepServer { PendingReplies = 1000 };
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);

        var result = await client.PollAsync(info, first.Transaction, new PollingOptions { MaxAttempts = 4 });

        result.Status.Should().Be(EnrollmentStatus.Pending);
        server.PkiOperations.Count(r => r.Message!.MessageType == MessageType.CertPoll).Should().Be(4);
    }

    [Test]
    public async Task PollAsync_ServerRejectsWhilePending_ReturnsFailed()
    {
        var server = new FakeScepServer { PendingReplies = 1 };
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);
        server.Refusal = (FailInfo.BadRequest, "rejected by an operator");

        var result = await client.PollAsync(info, first.Transaction, Schedule);

        result.Status.Should().Be(EnrollmentStatus.Failed);
        result.FailInfoText.Should().Be("rejected by an operator");
    }

    [Test]
    public async Task PollOnceAsync_ResumedFromStoredTransaction_GetsTheCertificate()
    {
        var server = new FakeScepServer { PendingReplies = 2 };
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);
        var signer = first.Transaction.Signer;
        var resumed = EnrollmentTransaction.Create(first.TransactionId, MessageType.PKCSReq, first.Transaction.Subject,
            System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _),
            ScepSigner.Create(signer.Certificate, key));

        var pending = await client.PollOnceAsync(info, resumed);
        var issued = await client.PollOnceAsync(info, resumed);

        first.Status.Should().Be(EnrollmentStatus.Pending);
        pending.Status.Should().Be(EnrollmentStatus.Pending);
        issued.Status.Should().Be(EnrollmentStatus.Issued);
    }

    [Test]
    public async Task PollingOptions_InvalidSchedule_IsRejected()
    {
        var server = new FakeScepServer();
        var client = ClientFixture.Create(server);
        var info = ScepServerInfo.Create(CaCapabilities.Empty, CaCertificates.Create([server.Ca.Certificate]));
        var transaction = EnrollmentTransaction.Create("T", MessageType.PKCSReq, server.Ca.Certificate.SubjectName, server.Ca.Certificate.PublicKey,
            ScepSigner.CreateSelfSigned(ClientFixture.Key(), server.Ca.Certificate.SubjectName, FakeScepServer.Now));

        var act = () => client.PollAsync(info, transaction, new PollingOptions { BackoffMultiplier = 0.5 });

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
        server.PkiOperations.Should().BeEmpty();
    }

    [Test]
    public async Task PollAsync_Cancelled_StopsWithoutPolling()
    {
        var server = new FakeScepServer { PendingReplies = 1000 };
        var client = ClientFixture.Create(server);
        var info = await client.GetServerInfoAsync();
        var key = ClientFixture.Key();
        var first = await client.EnrollAsync(info, ClientFixture.Csr(key), key);
        using var cancellation = new System.Threading.CancellationTokenSource();
        await cancellation.CancelAsync();

        var act = () => client.PollAsync(info, first.Transaction, Schedule, null, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        server.PkiOperations.Should().ContainSingle("only the PKCSReq was sent");
    }

    private sealed class SynchronousProgress(List<PollProgress> reports) : IProgress<PollProgress>
    {
        public void Report(PollProgress value) => reports.Add(value);
    }
}
