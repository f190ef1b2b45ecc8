using System;
using System.Formats.Asn1;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// Signed attribute anomalies (RFC 8894 §3.2.1; reference §4.2 and §13 #10, #11). Each corrupted message is
/// signed again, so the attribute is the only fault: what Decode accepts also verifies.
/// </summary>
public class PkiMessageAttributeErrorTests
{
    private PkiMessage _request = null!;
    private PkiMessage _reply = null!;
    private TestCredential _client = null!;

    [OneTimeSetUp]
    public void CreateMessages()
    {
        (_request, _client, _) = Scenario.PkcsReq(TestPki.Ca);
        _reply = CertRep.CreateFailure(_request, FailInfo.BadRequest, null, Scenario.ReplyParameters(TestPki.Ca));
    }

    private byte[] Request(Action<SignedMessage> edit) => MessageSurgery.Edit(_request, m =>
    {
        edit(m);
        m.Resign(_client.Key);
    });

    private byte[] Reply(Action<SignedMessage> edit) => MessageSurgery.Edit(_reply, m =>
    {
        edit(m);
        m.Resign(TestPki.Ca.Key);
    });

    private static AsnNode Printable(string value) => AsnNode.String(UniversalTagNumber.PrintableString, value);

    private static ScepException DecodeFails(byte[] encoded) =>
        FluentActions.Invoking(() => PkiMessage.Decode(encoded)).Should().Throw<ScepException>().Which;

    private static PkiMessage DecodesAndVerifies(byte[] encoded)
    {
        var message = PkiMessage.Decode(encoded);
        message.VerifySignature();
        return message;
    }

    [TestCase(ScepOids.TransactionId)]
    [TestCase(ScepOids.MessageType)]
    [TestCase(ScepOids.SenderNonce)]
    public void Decode_RequestWithoutRequiredAttribute_IsMissingAttribute(string oid)
    {
        var error = DecodeFails(Request(m => m.RemoveAttribute(oid)));

        error.Reason.Should().Be(ScepError.MissingAttribute);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_CertRepWithoutPkiStatus_IsMissingAttribute()
    {
        DecodeFails(Reply(m => m.RemoveAttribute(ScepOids.PkiStatus))).Reason.Should().Be(ScepError.MissingAttribute);
    }

    [Test]
    public void Decode_CertRepWithoutSenderNonce_IsAccepted()
    {
        var message = DecodesAndVerifies(Reply(m => m.RemoveAttribute(ScepOids.SenderNonce)));

        message.SenderNonce.IsEmpty.Should().BeTrue();
        message.Status.Should().Be(PkiStatus.Failure);
    }

    [Test]
    public void Decode_FailureWithoutFailInfo_ReadsAsBadRequest()
    {
        var message = DecodesAndVerifies(Reply(m => m.RemoveAttribute(ScepOids.FailInfo)));

        message.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_NoSignedAttributesAtAll_IsMissingAttribute()
    {
        var tampered = MessageSurgery.Edit(_request, m => m.Signer.Children.Remove(m.SignedAttributes));

        DecodeFails(tampered).Reason.Should().Be(ScepError.MissingAttribute);
    }

    [Test]
    public void Decode_VendorAttributeTwice_IsIgnoredAndItsFirstValueKept()
    {
        const string hresult = "1.3.6.1.4.1.311.21.33";
        var tampered = Request(m =>
        {
            m.AddAttribute(hresult, Printable("-2147024809"));
            m.AddAttribute(hresult, Printable("0"));
        });

        var message = PkiMessage.Decode(tampered);

        message.OtherSignedAttributes.Should().ContainKey(hresult);
        message.OtherSignedAttributes[hresult].ToArray().Should().Equal(Printable("-2147024809").Encode());
    }

    [TestCase(ScepOids.TransactionId)]
    [TestCase(ScepOids.MessageType)]
    [TestCase(ScepOids.SenderNonce)]
    public void Decode_AttributeTwice_IsInvalidAttribute(string oid)
    {
        var tampered = Request(m =>
        {
            if (m.Attribute(oid) is null)
            {
                m.AddAttribute(oid, Printable("-2147024809"));
            }

            m.AddAttribute(oid, m.Attribute(oid)![1][0].Clone());
        });

        var error = DecodeFails(tampered);

        error.Reason.Should().Be(ScepError.InvalidAttribute);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_AttributeWithTwoValues_IsInvalidAttribute()
    {
        var tampered = Request(m => m.SetAttribute(ScepOids.TransactionId, Printable("A"), Printable("B")));

        DecodeFails(tampered).Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [Test]
    public void Decode_AttributeWithNoValue_IsInvalidAttribute()
    {
        var tampered = Request(m => m.SetAttribute(ScepOids.TransactionId));

        DecodeFails(tampered).Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [TestCase("abc")]
    [TestCase("")]
    [TestCase("-19")]
    [TestCase("+19")]
    [TestCase("1 9")]
    [TestCase("19.0")]
    [TestCase("256")]
    [TestCase("99999999999")]
    public void Decode_MessageTypeNotASmallDecimal_IsInvalidAttribute(string value)
    {
        var error = DecodeFails(Request(m => m.SetAttribute(ScepOids.MessageType, Printable(value))));

        error.Reason.Should().Be(ScepError.InvalidAttribute);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_MessageTypeAsOctetString_IsInvalidAttribute()
    {
        DecodeFails(Request(m => m.SetAttribute(ScepOids.MessageType, AsnNode.OctetString("19"u8))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [TestCase(" 19")]
    [TestCase("19 ")]
    [TestCase("019")]
    [TestCase("0019")]
    public void Decode_MessageTypeWithSpacesOrLeadingZeros_IsRead(string value)
    {
        var message = DecodesAndVerifies(Request(m => m.SetAttribute(ScepOids.MessageType, Printable(value))));

        message.MessageType.Should().Be(MessageType.PKCSReq);
        message.Decrypt(TestPki.Ca.Certificate, TestPki.Ca.Rsa).CertificationRequest.Should().NotBeNull();
    }

    [TestCase(UniversalTagNumber.UTF8String)]
    [TestCase(UniversalTagNumber.IA5String)]
    public void Decode_MessageTypeInAnotherStringType_IsRead(UniversalTagNumber type)
    {
        var message = DecodesAndVerifies(Request(m => m.SetAttribute(ScepOids.MessageType, AsnNode.String(type, "19"))));

        message.MessageType.Should().Be(MessageType.PKCSReq);
    }

    [TestCase(23)]
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(255)]
    public void Decode_UnknownMessageType_DecodesAndKeepsTheNumber(int number)
    {
        var message = DecodesAndVerifies(Request(m => m.SetAttribute(ScepOids.MessageType, Printable(number.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        ((int)message.MessageType).Should().Be(number);
        Enum.IsDefined(message.MessageType).Should().BeFalse();
        message.ToString().Should().Contain(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.TransactionId.Should().Be(_request.TransactionId, "a server can still address a FAILURE reply");
        message.SenderNonce.ToArray().Should().Equal(_request.SenderNonce.ToArray());
        var content = message.Decrypt(TestPki.Ca.Certificate, TestPki.Ca.Rsa);
        content.CertificationRequest.Should().BeNull("the codec does not guess what an unknown type carries");
        content.RawData.IsEmpty.Should().BeFalse();
    }

    [Test]
    public void CreateFailure_ForUnknownMessageType_AnswersWithTheRequestsNonceAndTransactionId()
    {
        var request = PkiMessage.Decode(Request(m => m.SetAttribute(ScepOids.MessageType, Printable("23"))));

        var reply = CertRep.CreateFailure(request, FailInfo.BadRequest, "messageType 23 is not supported", Scenario.ReplyParameters(TestPki.Ca));

        reply.EnsureIsReplyTo(request);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [TestCase(0)]
    [TestCase(65)]
    [TestCase(1000)]
    public void Decode_SenderNonceOfBadLength_IsInvalidAttribute(int length)
    {
        var error = DecodeFails(Request(m => m.SetAttribute(ScepOids.SenderNonce, AsnNode.OctetString(new byte[length]))));

        error.Reason.Should().Be(ScepError.InvalidAttribute);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [TestCase(1)]
    [TestCase(8)]
    [TestCase(15)]
    [TestCase(17)]
    [TestCase(32)]
    [TestCase(64)]
    public void Decode_SenderNonceOfUnusualButAcceptedLength_IsKeptByteForByte(int length)
    {
        var nonce = new byte[length];
        new Random(length).NextBytes(nonce);

        var message = DecodesAndVerifies(Request(m => m.SetAttribute(ScepOids.SenderNonce, AsnNode.OctetString(nonce))));

        message.SenderNonce.ToArray().Should().Equal(nonce);
        CertRep.CreatePending(message, Scenario.ReplyParameters(TestPki.Ca)).RecipientNonce.ToArray().Should().Equal(nonce, "the nonce is echoed exactly");
    }

    [Test]
    public void Decode_RecipientNonceOf65Bytes_IsInvalidAttribute()
    {
        DecodeFails(Reply(m => m.SetAttribute(ScepOids.RecipientNonce, AsnNode.OctetString(new byte[65]))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [Test]
    public void Decode_SenderNonceAsPrintableString_IsInvalidAttribute()
    {
        DecodeFails(Request(m => m.SetAttribute(ScepOids.SenderNonce, Printable("0123456789abcdef"))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [TestCase(256)]
    [TestCase(1000)]
    [TestCase(0)]
    public void Decode_TransactionIdOfBadLength_IsInvalidAttribute(int length)
    {
        var error = DecodeFails(Request(m => m.SetAttribute(ScepOids.TransactionId, Printable(new string('A', length)))));

        error.Reason.Should().Be(ScepError.InvalidAttribute);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void Decode_TransactionIdOf255Characters_IsAccepted()
    {
        var longest = new string('7', 255);

        DecodesAndVerifies(Request(m => m.SetAttribute(ScepOids.TransactionId, Printable(longest)))).TransactionId.Should().Be(longest);
    }

    [Test]
    public void Decode_TransactionIdNotAString_IsInvalidAttribute()
    {
        DecodeFails(Request(m => m.SetAttribute(ScepOids.TransactionId, AsnNode.Integer(42))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [TestCase("1")]
    [TestCase("4")]
    [TestCase("x")]
    public void Decode_PkiStatusNotDefined_IsInvalidAttribute(string value)
    {
        DecodeFails(Reply(m => m.SetAttribute(ScepOids.PkiStatus, Printable(value))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [Test]
    public void Decode_SigningTimeNotATime_IsInvalidAttribute()
    {
        DecodeFails(Request(m => m.SetAttribute(ScepOids.SigningTime, Printable("20260601120000Z"))))
            .Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [Test]
    public void Decode_VendorAttribute_IsKeptAmongOtherSignedAttributes()
    {
        var hresult = Printable("-2147024809");

        var message = DecodesAndVerifies(Request(m => m.AddAttribute("1.3.6.1.4.1.311.21.33", hresult)));

        message.OtherSignedAttributes.Should().ContainKey("1.3.6.1.4.1.311.21.33")
            .WhoseValue.ToArray().Should().Equal(hresult.Encode());
    }
}
