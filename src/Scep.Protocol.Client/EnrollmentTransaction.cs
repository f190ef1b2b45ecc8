using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client;

/// <summary>
/// What identifies one enrollment across its messages (RFC 8894 §3.3.3): the transactionID, the requested
/// subject and key, and the signer whose key every poll must be signed with. Keep it (or the data to
/// re-create it) while a request is pending.
/// </summary>
public sealed class EnrollmentTransaction
{
    private readonly byte[] _subjectPublicKeyInfo;

    private EnrollmentTransaction(string transactionId, MessageType messageType, X500DistinguishedName subject, byte[] subjectPublicKeyInfo, ScepSigner signer)
    {
        TransactionId = transactionId;
        MessageType = messageType;
        Subject = subject;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        Signer = signer;
    }

    /// <summary>The transactionID, the same in every message of the transaction.</summary>
    public string TransactionId { get; }

    /// <summary>The request that opened the transaction: PKCSReq or RenewalReq.</summary>
    public MessageType MessageType { get; }

    /// <summary>The subject of the PKCS#10 request, sent again in CertPoll's IssuerAndSubject.</summary>
    public X500DistinguishedName Subject { get; }

    /// <summary>The DER SubjectPublicKeyInfo of the key being certified; the issued certificate is found by it.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>The signer of the original request; polls are signed by it and replies encrypted to it.</summary>
    public ScepSigner Signer { get; }

    /// <summary>Describes a transaction, for example to resume polling after a restart.</summary>
    /// <param name="transactionId">The transactionID of the original request.</param>
    /// <param name="messageType">PKCSReq or RenewalReq.</param>
    /// <param name="subject">The requested subject.</param>
    /// <param name="publicKey">The requested public key.</param>
    /// <param name="signer">The original request's signer.</param>
    /// <returns>The transaction.</returns>
    public static EnrollmentTransaction Create(string transactionId, MessageType messageType, X500DistinguishedName subject, PublicKey publicKey, ScepSigner signer)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(signer);
        if (messageType is not (MessageType.PKCSReq or MessageType.RenewalReq))
        {
            throw new ArgumentException("An enrollment transaction starts with a PKCSReq or a RenewalReq.", nameof(messageType));
        }

        return new EnrollmentTransaction(transactionId, messageType, new X500DistinguishedName(subject.RawData), publicKey.ExportSubjectPublicKeyInfo(), signer);
    }

    /// <summary>Whether <paramref name="certificate"/> certifies the requested key.</summary>
    /// <param name="certificate">A certificate.</param>
    /// <returns>True when its public key is the requested one.</returns>
    public bool IsForRequestedKey(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_subjectPublicKeyInfo);
    }
}
