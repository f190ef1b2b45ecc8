using System;

namespace Scep.Protocol;

/// <summary>
/// The decrypted messageData of a pkiMessage, parsed according to its messageType (RFC 8894 §3.3):
/// a PKCS#10 request, IssuerAndSubject, IssuerAndSerialNumber, or a certificates-only SignedData.
/// </summary>
public sealed class PkiMessageContent
{
    private PkiMessageContent(ReadOnlyMemory<byte> rawData, ContentEncryptionAlgorithm encryptionAlgorithm)
    {
        RawData = rawData;
        EncryptionAlgorithm = encryptionAlgorithm;
    }

    /// <summary>The decrypted bytes.</summary>
    public ReadOnlyMemory<byte> RawData { get; }

    /// <summary>The content-encryption algorithm the sender used (a server answers with the same).</summary>
    public ContentEncryptionAlgorithm EncryptionAlgorithm { get; }

    /// <summary>The PKCS#10 request of a PKCSReq, RenewalReq or UpdateReq.</summary>
    public Pkcs10Request? CertificationRequest { get; private init; }

    /// <summary>The IssuerAndSubject of a CertPoll.</summary>
    public IssuerAndSubject? IssuerAndSubject { get; private init; }

    /// <summary>The IssuerAndSerialNumber of a GetCert or GetCRL.</summary>
    public IssuerAndSerialNumber? IssuerAndSerialNumber { get; private init; }

    /// <summary>The certificates (and CRLs) of a SUCCESS CertRep.</summary>
    public DegenerateCertificateSet? CertificateSet { get; private init; }

    internal static PkiMessageContent Parse(MessageType type, byte[] data, ContentEncryptionAlgorithm algorithm) => type switch
    {
        MessageType.PKCSReq or MessageType.RenewalReq or MessageType.UpdateReq =>
            new PkiMessageContent(data, algorithm) { CertificationRequest = Pkcs10Request.Decode(data) },
        MessageType.CertPoll => new PkiMessageContent(data, algorithm) { IssuerAndSubject = IssuerAndSubject.Decode(data) },
        MessageType.GetCert or MessageType.GetCRL =>
            new PkiMessageContent(data, algorithm) { IssuerAndSerialNumber = IssuerAndSerialNumber.Decode(data) },
        MessageType.CertRep => new PkiMessageContent(data, algorithm) { CertificateSet = DegenerateCertificateSet.Decode(data) },
        _ => new PkiMessageContent(data, algorithm),
    };
}
