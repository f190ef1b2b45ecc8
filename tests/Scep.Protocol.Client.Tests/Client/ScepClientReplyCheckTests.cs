using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Fakes;

namespace Scep.Protocol.Client.Tests.Client;

/// <summary>RFC 8894 §3.3.2: a reply that fails any check is discarded, never turned into a result.</summary>
public class ScepClientReplyCheckTests
{
    [TestCase(ReplyTampering.WrongRecipientNonce, ScepError.ReplyMismatch)]
    [TestCase(ReplyTampering.WrongTransactionId, ScepError.ReplyMismatch)]
    [TestCase(ReplyTampering.SignedByStranger, ScepError.SignerCertificateNotFound)]
    [TestCase(ReplyTampering.IssuedForOtherKey, ScepError.MalformedContent)]
    [TestCase(ReplyTampering.IssuedByStranger, ScepError.SignatureInvalid)]
    public async Task EnrollAsync_TamperedReply_IsRejected(ReplyTampering tampering, ScepError reason)
    {
        var server = new FakeScepServer { Tampering = tampering };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();
        var info = await client.GetServerInfoAsync();

        var act = () => client.EnrollAsync(info, ClientFixture.Csr(key), key);

        (await act.Should().ThrowAsync<ScepException>()).Which.Reason.Should().Be(reason);
    }

    [TestCase(ReplyTampering.WrongRecipientNonce)]
    [TestCase(ReplyTampering.SignedByStranger)]
    public async Task EnrollAsync_TamperedFailureReply_IsRejectedToo(ReplyTampering tampering)
    {
        var server = new FakeScepServer { Tampering = tampering, Refusal = (FailInfo.BadRequest, "forged refusal") };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();
        var info = await client.GetServerInfoAsync();

        var act = () => client.EnrollAsync(info, ClientFixture.Csr(key), key);

        await act.Should().ThrowAsync<ScepException>();
    }

    [Test]
    public async Task EnrollAsync_DesReplyUnderDefaultPolicy_IsRefused()
    {
        var server = new FakeScepServer { ReplyEncryption = ContentEncryptionAlgorithm.DesCbc };
        var client = ClientFixture.Create(server);
        var key = ClientFixture.Key();
        var info = await client.GetServerInfoAsync();

        var act = () => client.EnrollAsync(info, ClientFixture.Csr(key), key);

        (await act.Should().ThrowAsync<ScepException>()).Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public async Task EnrollAsync_DesReplyUnderLegacyPolicy_IsAccepted()
    {
        var server = new FakeScepServer { ReplyEncryption = ContentEncryptionAlgorithm.DesCbc, ReplyDigest = System.Security.Cryptography.HashAlgorithmName.SHA1 };
        var client = ClientFixture.Create(server, new ScepClientOptions { AlgorithmPolicy = ScepAlgorithmPolicy.Legacy });
        var key = ClientFixture.Key();

        var result = await client.EnrollAsync(await client.GetServerInfoAsync(), ClientFixture.Csr(key), key);

        result.Status.Should().Be(EnrollmentStatus.Issued);
        result.Reply.Envelope!.ContentEncryptionAlgorithm.Should().Be(ContentEncryptionAlgorithm.DesCbc);
    }
}
