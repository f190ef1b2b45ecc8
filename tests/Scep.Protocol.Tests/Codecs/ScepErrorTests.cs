using System;
using System.Linq;

namespace Scep.Protocol.Tests.Codecs;

public class ScepErrorTests
{
    [TestCase(ScepError.Malformed, FailInfo.BadRequest)]
    [TestCase(ScepError.NotPkiMessage, FailInfo.BadRequest)]
    [TestCase(ScepError.MissingAttribute, FailInfo.BadRequest)]
    [TestCase(ScepError.InvalidAttribute, FailInfo.BadRequest)]
    [TestCase(ScepError.UnsupportedMessageType, FailInfo.BadRequest)]
    [TestCase(ScepError.SignerCertificateNotFound, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.SignatureInvalid, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.ContentDigestMismatch, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.UnsupportedAlgorithm, FailInfo.BadAlg)]
    [TestCase(ScepError.AlgorithmNotAllowed, FailInfo.BadAlg)]
    [TestCase(ScepError.MissingContent, FailInfo.BadRequest)]
    [TestCase(ScepError.MalformedEnvelope, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.RecipientNotFound, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.DecryptionFailed, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.MalformedContent, FailInfo.BadRequest)]
    [TestCase(ScepError.InvalidProofOfPossession, FailInfo.BadMessageCheck)]
    [TestCase(ScepError.SigningTimeOutOfRange, FailInfo.BadTime)]
    [TestCase(ScepError.UnknownCertificate, FailInfo.BadCertId)]
    [TestCase(ScepError.ReplyMismatch, FailInfo.BadRequest)]
    [TestCase(ScepError.LimitExceeded, FailInfo.BadRequest)]
    public void ToFailInfo_EveryReason_MapsToTheRfcFailInfo(ScepError error, FailInfo expected)
    {
        error.ToFailInfo().Should().Be(expected);
        new ScepException(error, "message").FailInfo.Should().Be(expected);
    }

    [Test]
    public void ToFailInfo_TableAbove_CoversEveryReason()
    {
        var tested = typeof(ScepErrorTests).GetMethod(nameof(ToFailInfo_EveryReason_MapsToTheRfcFailInfo))!
            .GetCustomAttributes(typeof(TestCaseAttribute), false).Cast<TestCaseAttribute>()
            .Select(a => (ScepError)a.Arguments[0]!);

        tested.Should().BeEquivalentTo(Enum.GetValues<ScepError>(), "a new reason needs a deliberate failInfo");
    }

    [Test]
    public void FailInfo_WireValues_AreTheRfcNumbers()
    {
        Enum.GetValues<FailInfo>().Select(f => (int)f).Should().Equal(0, 1, 2, 3, 4);
    }

    [Test]
    public void ScepException_WithInnerException_KeepsReasonMessageAndCause()
    {
        var cause = new InvalidOperationException("inner");

        var exception = new ScepException(ScepError.DecryptionFailed, "cannot decrypt", cause);

        exception.Reason.Should().Be(ScepError.DecryptionFailed);
        exception.Message.Should().Be("cannot decrypt");
        exception.InnerException.Should().BeSameAs(cause);
        exception.FailInfo.Should().Be(FailInfo.BadMessageCheck);
    }
}
