using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>
/// Issue 7, replay (reference §10.1 step 9, §13 #14): the same pkiMessage never issues twice, and a re-send after a
/// success gets the same certificate (RFC 8894 §3.3.2). The server keeps no separate nonce cache: a senderNonce is
/// signed together with the content, so "same nonce, different content" can only come from the holder of the
/// signer's key, and it is answered by the transaction's record (same transactionID) or by the request's own
/// authorization (a new transactionID, where a spent one-time code is refused). docs/security.md says why.
/// </summary>
public class ReplayTests
{
    [Test]
    public async Task ExactSameBytesTwice_AfterSuccess_ReturnTheSameCertificateAndIssueOnce()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();

        var first = client.IssuedFrom(server.ReplyFrom(await server.PostAsync(request.RawData), request));
        var second = server.ReplyFrom(await server.PostAsync(request.RawData), request);

        client.IssuedFrom(second).RawData.Should().Equal(first.RawData);
        second.RecipientNonce.ToArray().Should().Equal(request.SenderNonce.ToArray());
        server.Authority.IssuedCertificates.Should().ContainSingle();
        server.Transactions.Transactions.Should().ContainSingle().Which.State.Should().Be(ScepTransactionState.Issued);
    }

    [Test]
    public async Task ExactSameBytesTwice_ByGetAndByPost_ReturnTheSameCertificate()
    {
        using var server = ServerHarness.Create();
        var client = server.NewClient("CN=device-1", "ra-secret");
        var request = client.PkcsReq();

        var byGet = await server.SendAsync(request, "ra", usePost: false);
        var byPost = server.ReplyFrom(await server.PostAsync(request.RawData, "ra"), request);

        client.IssuedFrom(byPost).RawData.Should().Equal(client.IssuedFrom(byGet).RawData);
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task ExactSameBytesTwentyTimesAtOnce_IssueOnce_AndEveryAnswerIsThatCertificateOrPending()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () => server.ReplyFrom(await server.PostAsync(request.RawData), request))));
        var later = client.IssuedFrom(server.ReplyFrom(await server.PostAsync(request.RawData), request));

        server.Authority.IssuedCertificates.Should().ContainSingle().Which.RawData.Should().Equal(later.RawData);
        replies.Should().OnlyContain(r => r.Status == PkiStatus.Success || r.Status == PkiStatus.Pending, "a duplicate that arrives while the first is in process is told to wait");
        replies.Where(r => r.Status == PkiStatus.Success).Select(r => client.IssuedFrom(r).RawData).Should().AllSatisfy(c => c.Should().Equal(later.RawData));
    }

    [Test]
    public async Task SameNonceAndTransactionId_WithAnotherRequest_IsAnsweredFromTheRecordNotIssuedAgain()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var nonce = ScepNonce.Create();
        var first = PkiMessage.CreatePkcsReq(client.Csr, server.Parameters(client.Signer, transactionId: "replay-1", senderNonce: nonce));
        var issued = client.IssuedFrom(server.ReplyFrom(await server.PostAsync(first.RawData), first));

        // Same signer, nonce and transactionID; another CSR (another subject) inside.
        var otherCsr = Scenario.Csr("CN=device-1,O=Changed", client.Signer.Key, "code-123");
        var second = PkiMessage.CreatePkcsReq(otherCsr, server.Parameters(client.Signer, transactionId: "replay-1", senderNonce: nonce));
        var reply = server.ReplyFrom(await server.PostAsync(second.RawData), second);

        client.IssuedFrom(reply).RawData.Should().Equal(issued.RawData, "the transaction's record answers, whatever the new content asks");
        server.Authority.IssuedCertificates.Should().ContainSingle();
    }

    [Test]
    public async Task SameNonceWithANewTransactionId_AfterTheCodeWasUsed_IsBadRequest()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        var client = server.NewClient("CN=device-1", "code-123");
        var nonce = ScepNonce.Create();
        var first = PkiMessage.CreatePkcsReq(client.Csr, server.Parameters(client.Signer, transactionId: "replay-1", senderNonce: nonce));
        client.IssuedFrom(server.ReplyFrom(await server.PostAsync(first.RawData), first));
        var before = server.Transactions.Transactions.Single();

        var second = PkiMessage.CreatePkcsReq(client.Csr, server.Parameters(client.Signer, transactionId: "replay-2", senderNonce: nonce));
        var reply = server.ReplyFrom(await server.PostAsync(second.RawData), second);

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        server.Authority.IssuedCertificates.Should().ContainSingle();
        server.Transactions.Transactions.Should().ContainSingle().Which.Should().Be(before, "a refused request writes nothing");
    }

    [Test]
    public async Task ExactSameBytesAfterARejection_GetTheSameFailure()
    {
        using var server = ServerHarness.Create();
        server.Entities.Add("device-1", "code-123");
        server.Authority.RejectAllWithReason = "Policy says no.";
        var client = server.NewClient("CN=device-1", "code-123");
        var request = client.PkcsReq();

        var first = server.ReplyFrom(await server.PostAsync(request.RawData), request);
        var second = server.ReplyFrom(await server.PostAsync(request.RawData), request);

        first.Status.Should().Be(PkiStatus.Failure);
        second.Status.Should().Be(PkiStatus.Failure);
        second.FailInfoText.Should().Be(first.FailInfoText);
        server.Authority.IssuedCertificates.Should().BeEmpty();
    }
}
