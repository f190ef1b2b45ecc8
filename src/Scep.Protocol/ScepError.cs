namespace Scep.Protocol;

/// <summary>
/// Why decoding, verifying or decrypting a SCEP message failed. Each reason maps to the
/// <see cref="FailInfo"/> a server answers with (<see cref="ScepErrorExtensions.ToFailInfo"/>).
/// </summary>
public enum ScepError
{
    /// <summary>The bytes are not a well-formed BER/DER structure of the expected type.</summary>
    Malformed = 1,

    /// <summary>The outer ContentInfo is not a CMS SignedData with exactly one signer, or its content type is not id-data.</summary>
    NotPkiMessage,

    /// <summary>A signed attribute that the message type requires is absent.</summary>
    MissingAttribute,

    /// <summary>A signed attribute has the wrong syntax, several values, or appears twice.</summary>
    InvalidAttribute,

    /// <summary>The messageType is not one this side handles.</summary>
    UnsupportedMessageType,

    /// <summary>The certificate that signed the message is neither in the message nor among the candidates supplied.</summary>
    SignerCertificateNotFound,

    /// <summary>The signature over the signed attributes does not verify.</summary>
    SignatureInvalid,

    /// <summary>The messageDigest attribute does not match the content, or contentType is not id-data.</summary>
    ContentDigestMismatch,

    /// <summary>A digest or signature algorithm is unknown to the codec.</summary>
    UnsupportedAlgorithm,

    /// <summary>A known algorithm that the <see cref="ScepAlgorithmPolicy"/> in force does not accept.</summary>
    AlgorithmNotAllowed,

    /// <summary>The message carries no pkcsPKIEnvelope although its type needs one.</summary>
    MissingContent,

    /// <summary>The pkcsPKIEnvelope is not a well-formed CMS EnvelopedData.</summary>
    MalformedEnvelope,

    /// <summary>No recipient of the envelope matches the decryption certificate.</summary>
    RecipientNotFound,

    /// <summary>The envelope could not be decrypted (wrong key, tampered key or ciphertext, bad padding).</summary>
    DecryptionFailed,

    /// <summary>The decrypted messageData is not what the message type requires (PKCS#10, IssuerAndSubject, ...).</summary>
    MalformedContent,

    /// <summary>The PKCS#10 request's own signature (proof of possession) does not verify.</summary>
    InvalidProofOfPossession,

    /// <summary>The signingTime is outside the accepted tolerance.</summary>
    SigningTimeOutOfRange,

    /// <summary>No certificate matches the issuer and serial number or subject asked for.</summary>
    UnknownCertificate,

    /// <summary>A reply does not answer the request: wrong messageType, transactionID or recipientNonce.</summary>
    ReplyMismatch,

    /// <summary>A size or count limit of the decoder was exceeded.</summary>
    LimitExceeded,
}

/// <summary>Maps <see cref="ScepError"/> to the <see cref="FailInfo"/> of RFC 8894 §3.2.1.4.</summary>
public static class ScepErrorExtensions
{
    /// <summary>The failInfo a server sends in a FAILURE CertRep for this reason. This is the one place the mapping lives.</summary>
    /// <param name="error">The reason.</param>
    /// <returns>The failInfo value.</returns>
    public static FailInfo ToFailInfo(this ScepError error) => error switch
    {
        ScepError.UnsupportedAlgorithm or ScepError.AlgorithmNotAllowed => FailInfo.BadAlg,
        ScepError.SignerCertificateNotFound or ScepError.SignatureInvalid or ScepError.ContentDigestMismatch
            or ScepError.RecipientNotFound or ScepError.DecryptionFailed or ScepError.InvalidProofOfPossession
            or ScepError.MalformedEnvelope => FailInfo.BadMessageCheck,
        ScepError.SigningTimeOutOfRange => FailInfo.BadTime,
        ScepError.UnknownCertificate => FailInfo.BadCertId,
        _ => FailInfo.BadRequest,
    };
}
