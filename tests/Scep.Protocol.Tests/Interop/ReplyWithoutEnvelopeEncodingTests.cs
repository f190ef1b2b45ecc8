using System.Formats.Asn1;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Interop;

/// <summary>
/// FAILURE and PENDING replies carry no pkcsPKIEnvelope, but their eContent must be present (a zero-length
/// OCTET STRING, as micromdm sends): OpenSSL-based clients such as certmonger cannot verify a SignedData
/// whose eContent is absent and treat the reply as if the server were unreachable.
/// </summary>
public class ReplyWithoutEnvelopeEncodingTests
{
    [TestCase(PkiStatus.Failure)]
    [TestCase(PkiStatus.Pending)]
    public void CertRepWithoutEnvelope_Encodes_EContentAsZeroLengthOctetString(PkiStatus status)
    {
        var ca = TestPki.Ca;
        var (request, _, _) = Scenario.PkcsReq(ca);
        var reply = status == PkiStatus.Failure
            ? CertRep.CreateFailure(request, FailInfo.BadRequest, null, Scenario.ReplyParameters(ca))
            : CertRep.CreatePending(request, Scenario.ReplyParameters(ca));

        var encapsulated = EncapsulatedContentInfo(reply.Encode());

        encapsulated.ReadObjectIdentifier().Should().Be("1.2.840.113549.1.7.1");
        encapsulated.HasData.Should().BeTrue("eContent is present");
        var eContent = encapsulated.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        eContent.ReadOctetString().Should().BeEmpty();
        PkiMessage.Decode(reply.Encode()).Content.IsEmpty.Should().BeTrue();
        reply.Envelope.Should().BeNull();
        reply.VerifySignature().RawData.Should().Equal(ca.Certificate.RawData);
    }

    private static AsnReader EncapsulatedContentInfo(byte[] contentInfo)
    {
        var outer = new AsnReader(contentInfo, AsnEncodingRules.DER).ReadSequence();
        outer.ReadObjectIdentifier();
        var signedData = outer.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf();
        return signedData.ReadSequence();
    }
}
