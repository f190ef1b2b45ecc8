using System;
using System.Security.Cryptography;

namespace Scep.Protocol;

/// <summary>
/// Builds CertRep replies (RFC 8894 §3.3.2): transactionID echoed, recipientNonce = the request's
/// senderNonce, a fresh senderNonce, signingTime, contentType and messageDigest always present.
/// Parse a reply with <see cref="PkiMessage.Decode"/> and check it with <see cref="PkiMessage.EnsureIsReplyTo"/>.
/// </summary>
public static class CertRep
{
    /// <summary>A SUCCESS reply: the certificates (issued certificate first) or CRL, enveloped to the request's signer certificate.</summary>
    /// <param name="request">The request being answered; its signer certificate receives the envelope.</param>
    /// <param name="content">The certificates-only SignedData to deliver.</param>
    /// <param name="parameters">The server's signer, clock and algorithm choices.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ScepException">The request's signer has no RSA key to encrypt to (<see cref="ScepError.UnsupportedAlgorithm"/>).</exception>
    public static PkiMessage CreateSuccess(PkiMessage request, DegenerateCertificateSet content, CertRepParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(parameters);
        // From the signer's DER: the reply needs its key and its issuer and serial number, not a loaded certificate.
        var recipient = request.SignerCertificateDer
            ?? throw new ArgumentException("The request carries no signer certificate to encrypt the reply to.", nameof(request));
        var encryption = parameters.ContentEncryption ?? request.Envelope?.ContentEncryptionAlgorithm ?? ContentEncryptionAlgorithm.Aes128Cbc;
        var envelope = PkiEnvelope.Create(
            content.RawData.Span, recipient.SubjectPublicKeyInfo.Span, IssuerAndSerialNumber.FromCertificate(recipient), encryption, parameters.KeyTransport);
        return Build(request, PkiStatus.Success, null, null, envelope, parameters);
    }

    /// <summary>A FAILURE reply with failInfo and, optionally, a failInfoText; no pkcsPKIEnvelope (eContent is a zero-length OCTET STRING).</summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="failInfo">Why it failed.</param>
    /// <param name="failInfoText">A readable reason (RFC 8894 §3.2.1.4.1); never put secrets here.</param>
    /// <param name="parameters">The server's signer, clock and algorithm choices.</param>
    /// <returns>The reply.</returns>
    public static PkiMessage CreateFailure(PkiMessage request, FailInfo failInfo, string? failInfoText, CertRepParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        return Build(request, PkiStatus.Failure, failInfo, failInfoText, null, parameters);
    }

    /// <summary>A PENDING reply: the request awaits approval; the client polls with CertPoll. No pkcsPKIEnvelope (eContent is a zero-length OCTET STRING).</summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="parameters">The server's signer, clock and algorithm choices.</param>
    /// <returns>The reply.</returns>
    public static PkiMessage CreatePending(PkiMessage request, CertRepParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        return Build(request, PkiStatus.Pending, null, null, null, parameters);
    }

    private static PkiMessage Build(PkiMessage request, PkiStatus status, FailInfo? failInfo, string? failInfoText, PkiEnvelope? envelope, CertRepParameters parameters)
    {
        var digest = parameters.DigestAlgorithm ?? ReplyDigestFor(request);
        return PkiMessage.Build(
            MessageType.CertRep,
            request.TransactionId,
            parameters.SenderNonce,
            request.SenderNonce,
            status,
            failInfo,
            failInfoText,
            envelope,
            parameters.SignerCertificate,
            parameters.SignerKey,
            digest,
            parameters.SigningTime,
            parameters.AdditionalCertificates,
            parameters.AdditionalSignedAttributes);
    }

    /// <summary>The request's own digest when SCEP knows it, else SHA-256.</summary>
    private static HashAlgorithmName ReplyDigestFor(PkiMessage request) =>
        Internal.Algorithms.IsSupportedDigest(request.DigestAlgorithm) ? request.DigestAlgorithm : HashAlgorithmName.SHA256;
}
