using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// A SCEP pkiMessage (RFC 8894 §3.2): a CMS SignedData whose signed attributes carry the SCEP fields and
/// whose content is the encrypted pkcsPKIEnvelope. Immutable. Decoding never implies trust:
/// <see cref="VerifySignature"/> and <see cref="Decrypt"/> are separate steps.
/// </summary>
public sealed class PkiMessage
{
    private readonly byte[] _encoded;
    private readonly SignedDataAsn _signedData;
    private readonly SignerInfoAsn _signer;
    private readonly ScepException? _envelopeError;

    // Certificates are read field by field at once and loaded as X509Certificate2 only when asked for:
    // loading one costs as much as a quarter of an RSA-2048 private-key operation on OpenSSL 3.0.
    private readonly CertificateDer[] _certificateDers;
    private readonly int _signerIndex;
    private readonly Lazy<X509Certificate2?>[] _loaded;
    private readonly Lazy<IReadOnlyList<X509Certificate2>> _certificates;

    private PkiMessage(byte[] encoded, SignedDataAsn signedData, SignerInfoAsn signer, ScepException? envelopeError, CertificateDer[] certificateDers)
    {
        _encoded = encoded;
        _signedData = signedData;
        _signer = signer;
        _envelopeError = envelopeError;
        _certificateDers = certificateDers;
        _signerIndex = Array.FindIndex(certificateDers, signer.Identifies);
        _loaded = Array.ConvertAll(certificateDers, der => new Lazy<X509Certificate2?>(() => CertificateFacts.TryLoad(der.Raw)));
        _certificates = new Lazy<IReadOnlyList<X509Certificate2>>(() => _loaded.Select(l => l.Value).OfType<X509Certificate2>().ToList().AsReadOnly());
    }

    /// <summary>The messageType. A number outside <see cref="Protocol.MessageType"/> is kept as it is.</summary>
    public MessageType MessageType { get; private init; }

    /// <summary>The transactionID.</summary>
    public string TransactionId { get; private init; } = string.Empty;

    /// <summary>The senderNonce (empty only in a CertRep that lacks one).</summary>
    public ReadOnlyMemory<byte> SenderNonce { get; private init; }

    /// <summary>The recipientNonce, empty when absent; a CertRep echoes the request's senderNonce here.</summary>
    public ReadOnlyMemory<byte> RecipientNonce { get; private init; }

    /// <summary>The pkiStatus of a CertRep; null in requests.</summary>
    public PkiStatus? Status { get; private init; }

    /// <summary>The failInfo of a FAILURE CertRep (badRequest when the reply omitted it); null otherwise.</summary>
    public FailInfo? FailInfo { get; private init; }

    /// <summary>The failInfoText of a FAILURE CertRep (RFC 8894 §3.2.1.4.1), untrusted text; null when absent.</summary>
    public string? FailInfoText { get; private init; }

    /// <summary>The signingTime attribute, or null when absent.</summary>
    public DateTimeOffset? SigningTime { get; private init; }

    /// <summary>The signer's digest algorithm. An unknown OID is kept as the name (and fails <see cref="VerifySignature"/> with badAlg).</summary>
    public HashAlgorithmName DigestAlgorithm { get; private init; }

    /// <summary>The OID of the SignerInfo's signature algorithm.</summary>
    public string SignatureAlgorithmOid => _signer.SignatureAlgorithm.Oid;

    /// <summary>The certificate the SignerInfo names, when it is in <see cref="Certificates"/>; null otherwise (NDES replies may omit it).</summary>
    public X509Certificate2? SignerCertificate => _signerIndex < 0 ? null : _loaded[_signerIndex].Value;

    /// <summary>
    /// The DER SubjectPublicKeyInfo of the signer certificate the message carries, read from the encoding without
    /// loading the certificate; empty when the message does not carry its signer. A server identifies the requester
    /// by this key and encrypts the reply to it.
    /// </summary>
    public ReadOnlyMemory<byte> SignerPublicKeyInfo => _signerIndex < 0 ? ReadOnlyMemory<byte>.Empty : _certificateDers[_signerIndex].SubjectPublicKeyInfo;

    /// <summary>The fields of the carried signer certificate, or null when the message does not carry it.</summary>
    /// <summary>The DER of the certificate that signed the message, read without loading it; empty when it is not in the message.</summary>
    public ReadOnlyMemory<byte> SignerCertificateRawData => _signerIndex < 0 ? ReadOnlyMemory<byte>.Empty : _certificateDers[_signerIndex].Raw;

    internal CertificateDer? SignerCertificateDer => _signerIndex < 0 ? null : _certificateDers[_signerIndex];

    /// <summary>The SignedData's certificates, in the order of the encoding; certificates that cannot be read are left out.</summary>
    public IReadOnlyList<X509Certificate2> Certificates => _certificates.Value;

    /// <summary>The encapsulated content (the DER pkcsPKIEnvelope); empty when there is none (PENDING, FAILURE), whether eContent is absent or a zero-length OCTET STRING.</summary>
    public ReadOnlyMemory<byte> Content => _signedData.EContent ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The still-encrypted pkcsPKIEnvelope, or null when there is no content or it is not an EnvelopedData.</summary>
    public PkiEnvelope? Envelope { get; private init; }

    /// <summary>Signed attributes the codec does not interpret (cryptlib's randomNonce, Microsoft's HRESULT, ...): OID to the encoding of the first value.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> OtherSignedAttributes { get; private init; } =
        ReadOnlyDictionary<string, ReadOnlyMemory<byte>>.Empty;

    /// <summary>The message's encoding.</summary>
    public ReadOnlyMemory<byte> RawData => _encoded;

    /// <summary>A copy of the encoding.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Writes the encoding into <paramref name="destination"/>.</summary>
    /// <param name="destination">The buffer.</param>
    /// <param name="bytesWritten">The length written.</param>
    /// <returns>False when the buffer is too small.</returns>
    public bool TryEncode(Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < _encoded.Length)
        {
            bytesWritten = 0;
            return false;
        }

        _encoded.CopyTo(destination);
        bytesWritten = _encoded.Length;
        return true;
    }

    /// <summary>
    /// Decodes a pkiMessage (BER or DER). Succeeds whenever a reply could be addressed: the structure is a
    /// SignedData with one signer, and transactionID, messageType and (in requests) senderNonce are readable.
    /// </summary>
    /// <param name="encoded">Exactly one encoded message.</param>
    /// <returns>The unverified message.</returns>
    /// <exception cref="ScepException">The input is not an addressable pkiMessage; a server answers HTTP 400.</exception>
    public static PkiMessage Decode(ReadOnlyMemory<byte> encoded)
    {
        var message = DecodeCore(encoded, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new ScepException(ScepError.Malformed, $"{encoded.Length - consumed} bytes follow the pkiMessage.");
        }

        return message;
    }

    /// <summary>Decodes the pkiMessage at the start of <paramref name="encoded"/>.</summary>
    /// <param name="encoded">The input; data may follow the message.</param>
    /// <param name="message">The unverified message, or null.</param>
    /// <param name="bytesConsumed">The length of the message, or 0.</param>
    /// <returns>Whether a message was decoded.</returns>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, [NotNullWhen(true)] out PkiMessage? message, out int bytesConsumed)
    {
        try
        {
            message = DecodeCore(encoded, out bytesConsumed);
            return true;
        }
        catch (ScepException)
        {
            message = null;
            bytesConsumed = 0;
            return false;
        }
    }

    private static PkiMessage DecodeCore(ReadOnlyMemory<byte> encoded, out int bytesConsumed)
    {
        if (encoded.IsEmpty || encoded.Span[0] != 0x30)
        {
            throw new ScepException(ScepError.Malformed, "The message does not start with a SEQUENCE.");
        }

        if (!BerValue.TryMeasure(encoded.Span, out bytesConsumed))
        {
            throw new ScepException(ScepError.Malformed, "The message is not a complete BER/DER structure.");
        }

        var copy = encoded[..bytesConsumed].ToArray();
        var signedData = SignedDataAsn.DecodeContentInfo(copy, out _);
        if (signedData.SignerInfos.Count != 1)
        {
            throw new ScepException(ScepError.NotPkiMessage, $"A pkiMessage has exactly one signer; this one has {signedData.SignerInfos.Count}.");
        }

        if (signedData.EContentType != ScepOids.Data)
        {
            throw new ScepException(ScepError.NotPkiMessage, $"The encapsulated content type is {signedData.EContentType}, not data.");
        }

        var signer = signedData.SignerInfos[0];
        if (signer.SignedAttributesEncoded is null)
        {
            throw new ScepException(ScepError.MissingAttribute, "The pkiMessage has no signed attributes.");
        }

        var attributes = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var attribute in signer.SignedAttributes)
        {
            if (!IsScepOrCmsAttribute(attribute.Oid))
            {
                // Only SCEP's and CMS's own attributes must be single-valued and unique; a vendor attribute is
                // ignored whatever its shape (cryptlib's randomNonce, NDES's HRESULT), keeping its first value.
                if (attribute.Values.Count > 0)
                {
                    attributes.TryAdd(attribute.Oid, attribute.Values[0]);
                }

                continue;
            }

            if (attribute.Values.Count != 1)
            {
                throw new ScepException(ScepError.InvalidAttribute, $"Signed attribute {attribute.Oid} has {attribute.Values.Count} values; SCEP needs exactly one.");
            }

            if (!attributes.TryAdd(attribute.Oid, attribute.Values[0]))
            {
                throw new ScepException(ScepError.InvalidAttribute, $"Signed attribute {attribute.Oid} appears twice.");
            }
        }

        var messageTypeNumber = ReadNumber(attributes, ScepOids.MessageType, "messageType")
            ?? throw new ScepException(ScepError.MissingAttribute, "The messageType attribute is missing.");
        var messageType = (MessageType)messageTypeNumber;
        var transactionId = ReadString(attributes, ScepOids.TransactionId, "transactionID")
            ?? throw new ScepException(ScepError.MissingAttribute, "The transactionID attribute is missing.");
        if (transactionId.Length == 0 || transactionId.Length > Limits.MaxTransactionIdLength)
        {
            throw new ScepException(ScepError.InvalidAttribute, $"The transactionID must have 1 to {Limits.MaxTransactionIdLength} characters.");
        }

        var senderNonce = ReadNonce(attributes, ScepOids.SenderNonce, "senderNonce");
        if (senderNonce.IsEmpty && messageType != MessageType.CertRep)
        {
            throw new ScepException(ScepError.MissingAttribute, "The senderNonce attribute is missing.");
        }

        var recipientNonce = ReadNonce(attributes, ScepOids.RecipientNonce, "recipientNonce");
        PkiStatus? status = null;
        FailInfo? failInfo = null;
        string? failInfoText = null;
        if (messageType == MessageType.CertRep)
        {
            var statusNumber = ReadNumber(attributes, ScepOids.PkiStatus, "pkiStatus")
                ?? throw new ScepException(ScepError.MissingAttribute, "The CertRep has no pkiStatus attribute.");
            status = statusNumber switch
            {
                0 => PkiStatus.Success,
                2 => PkiStatus.Failure,
                3 => PkiStatus.Pending,
                _ => throw new ScepException(ScepError.InvalidAttribute, $"pkiStatus {statusNumber} is not defined."),
            };
            if (status == PkiStatus.Failure)
            {
                var failNumber = ReadNumber(attributes, ScepOids.FailInfo, "failInfo");
                failInfo = failNumber is null ? Protocol.FailInfo.BadRequest : (FailInfo)failNumber.Value;
                failInfoText = ReadString(attributes, ScepOids.FailInfoText, "failInfoText");
                if (failInfoText is { Length: > Limits.MaxFailInfoTextLength })
                {
                    failInfoText = failInfoText[..Limits.MaxFailInfoTextLength];
                }
            }
        }

        var signingTime = ReadTime(attributes);
        // An unreadable certificate is left out rather than failing Decode: the reply can still be addressed,
        // and VerifySignature then reports the signer as not found (badMessageCheck, reference §10.1 step 5).
        var certificateDers = new List<CertificateDer>(signedData.Certificates.Count);
        foreach (var encodedCertificate in signedData.Certificates)
        {
            if (CertificateDer.TryParse(encodedCertificate) is { } certificate)
            {
                certificateDers.Add(certificate);
            }
        }

        var digest = Algorithms.DigestFromOid(signer.DigestAlgorithm.Oid) ?? new HashAlgorithmName(signer.DigestAlgorithm.Oid);

        PkiEnvelope? envelope = null;
        ScepException? envelopeError = null;
        if (signedData.EContent is { Length: > 0 } content)
        {
            try
            {
                envelope = PkiEnvelope.Decode(content);
            }
            catch (ScepException e)
            {
                envelopeError = e;
            }
        }

        var others = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (oid, value) in attributes)
        {
            if (!IsScepOrCmsAttribute(oid))
            {
                others.Add(oid, value);
            }
        }

        return new PkiMessage(copy, signedData, signer, envelopeError, [.. certificateDers])
        {
            MessageType = messageType,
            TransactionId = transactionId,
            SenderNonce = senderNonce,
            RecipientNonce = recipientNonce,
            Status = status,
            FailInfo = failInfo,
            FailInfoText = failInfoText,
            SigningTime = signingTime,
            DigestAlgorithm = digest,
            Envelope = envelope,
            OtherSignedAttributes = others.AsReadOnly(),
        };
    }

    private static bool IsScepOrCmsAttribute(string oid) => oid is ScepOids.MessageType or ScepOids.TransactionId
        or ScepOids.SenderNonce or ScepOids.RecipientNonce or ScepOids.PkiStatus or ScepOids.FailInfo
        or ScepOids.FailInfoText or ScepOids.ContentType or ScepOids.MessageDigest or ScepOids.SigningTime;

    private static string? ReadString(Dictionary<string, ReadOnlyMemory<byte>> attributes, string oid, string name)
    {
        if (!attributes.TryGetValue(oid, out var value))
        {
            return null;
        }

        try
        {
            return DirectoryString.Read(value).Value;
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.InvalidAttribute, $"The {name} attribute is not a string: {e.Message}", e);
        }
    }

    // RFC 8894 §3.2.1.2: decimal digits in a PrintableString. Read leniently (other string types, spaces), write strictly.
    private static int? ReadNumber(Dictionary<string, ReadOnlyMemory<byte>> attributes, string oid, string name)
    {
        var text = ReadString(attributes, oid, name);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 255)
        {
            throw new ScepException(ScepError.InvalidAttribute, $"The {name} attribute is not a small decimal number.");
        }

        return number;
    }

    private static ReadOnlyMemory<byte> ReadNonce(Dictionary<string, ReadOnlyMemory<byte>> attributes, string oid, string name)
    {
        if (!attributes.TryGetValue(oid, out var value))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var nonce = reader.TryReadPrimitiveOctetString(out var primitive) ? primitive : reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
            if (nonce.Length == 0 || nonce.Length > Limits.MaxNonceLength)
            {
                throw new ScepException(ScepError.InvalidAttribute, $"The {name} must have 1 to {Limits.MaxNonceLength} bytes.");
            }

            return nonce;
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.InvalidAttribute, $"The {name} attribute is not an OCTET STRING: {e.Message}", e);
        }
    }

    private static DateTimeOffset? ReadTime(Dictionary<string, ReadOnlyMemory<byte>> attributes)
    {
        if (!attributes.TryGetValue(ScepOids.SigningTime, out var value))
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var time = reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)
                ? reader.ReadUtcTime()
                : reader.ReadGeneralizedTime();
            reader.ThrowIfNotEmpty();
            return time;
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.InvalidAttribute, "The signingTime attribute is malformed: " + e.Message, e);
        }
    }

    /// <summary>
    /// Verifies the signature: the signer certificate named by the SignerInfo (from the message, or else from
    /// <paramref name="candidateSigners"/>), the contentType and messageDigest attributes, and the signature over
    /// the signed attributes (RFC 5652 §5.6). Does not judge whether the signer is trusted.
    /// </summary>
    /// <param name="policy">Which digests to accept; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <param name="candidateSigners">
    /// Certificates to look for the signer in when the message does not carry it; a client passes the
    /// GetCACert certificates here (NDES omits its certificate from replies).
    /// </param>
    /// <returns>The certificate whose key verified the signature.</returns>
    /// <exception cref="ScepException">badAlg or badMessageCheck reasons.</exception>
    public X509Certificate2 VerifySignature(ScepAlgorithmPolicy? policy = null, IEnumerable<X509Certificate2>? candidateSigners = null)
    {
        var candidate = VerifySignatureCore(policy, candidateSigners);
        return candidate ?? SignerCertificate
            ?? throw new ScepException(ScepError.SignerCertificateNotFound, "The certificate that signed the message cannot be read.");
    }

    /// <summary>
    /// Verifies the signature as <see cref="VerifySignature"/> does, with the signer certificate the message carries
    /// (every SCEP request carries it), without loading that certificate into the platform: a server's first check,
    /// which then works with <see cref="SignerPublicKeyInfo"/>. <see cref="SignerCertificate"/> still loads it on demand.
    /// </summary>
    /// <param name="policy">Which digests to accept; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <exception cref="ScepException">badAlg or badMessageCheck reasons; <see cref="ScepError.SignerCertificateNotFound"/> when the message does not carry its signer.</exception>
    public void EnsureSignatureValid(ScepAlgorithmPolicy? policy = null) => VerifySignatureCore(policy, null);

    /// <summary>Verifies; returns the candidate that verified (or has the carried signer's bytes), or null when the carried signer did.</summary>
    private X509Certificate2? VerifySignatureCore(ScepAlgorithmPolicy? policy, IEnumerable<X509Certificate2>? candidateSigners)
    {
        policy ??= ScepAlgorithmPolicy.Default;
        X509Certificate2? candidate = null;
        ReadOnlyMemory<byte> subjectPublicKeyInfo;
        if (_signerIndex >= 0)
        {
            // A candidate with the very bytes of the carried signer (a client's GetCACert certificate) is returned
            // as it is, rather than loading a second copy of the same certificate.
            var carried = _certificateDers[_signerIndex];
            subjectPublicKeyInfo = carried.SubjectPublicKeyInfo;
            candidate = candidateSigners?.FirstOrDefault(c => c.RawDataMemory.Span.SequenceEqual(carried.Raw.Span));
        }
        else
        {
            candidate = candidateSigners?.FirstOrDefault(_signer.Identifies)
                ?? throw new ScepException(ScepError.SignerCertificateNotFound, "The certificate that signed the message is not available.");
            subjectPublicKeyInfo = CertificateFacts.SubjectPublicKeyInfo(candidate);
        }

        SignedDataVerifier.Verify(_signedData, _signer, subjectPublicKeyInfo, policy);
        return candidate;
    }

    /// <summary>Decrypts the pkcsPKIEnvelope and parses the messageData for this messageType.</summary>
    /// <param name="recipientCertificate">The certificate the sender encrypted to.</param>
    /// <param name="privateKey">Its RSA private key.</param>
    /// <param name="policy">Which algorithms to accept; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <returns>The decrypted content.</returns>
    /// <exception cref="ScepException">
    /// <see cref="ScepError.MissingContent"/>, <see cref="ScepError.MalformedEnvelope"/>, the reasons of
    /// <see cref="PkiEnvelope.Decrypt"/>, or <see cref="ScepError.MalformedContent"/>.
    /// </exception>
    public PkiMessageContent Decrypt(X509Certificate2 recipientCertificate, RSA privateKey, ScepAlgorithmPolicy? policy = null)
    {
        if (Content.IsEmpty)
        {
            throw new ScepException(ScepError.MissingContent, "The message has no pkcsPKIEnvelope.");
        }

        if (Envelope is null)
        {
            throw _envelopeError ?? new ScepException(ScepError.MalformedEnvelope, "The content is not an EnvelopedData.");
        }

        var data = Envelope.Decrypt(recipientCertificate, privateKey, policy);
        return PkiMessageContent.Parse(MessageType, data, Envelope.ContentEncryptionAlgorithm!.Value);
    }

    /// <summary>
    /// Checks that this message is a CertRep answering <paramref name="request"/>: messageType 3, the same
    /// transactionID, and recipientNonce equal to the request's senderNonce (RFC 8894 §3.2.1.5).
    /// </summary>
    /// <param name="request">The request that was sent.</param>
    /// <exception cref="ScepException"><see cref="ScepError.ReplyMismatch"/>.</exception>
    public void EnsureIsReplyTo(PkiMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MessageType != MessageType.CertRep)
        {
            throw new ScepException(ScepError.ReplyMismatch, $"The reply has messageType {MessageType}, not CertRep.");
        }

        if (!string.Equals(TransactionId, request.TransactionId, StringComparison.Ordinal))
        {
            throw new ScepException(ScepError.ReplyMismatch, "The reply's transactionID differs from the request's.");
        }

        if (!RecipientNonce.Span.SequenceEqual(request.SenderNonce.Span))
        {
            throw new ScepException(ScepError.ReplyMismatch, "The reply's recipientNonce is not the request's senderNonce.");
        }
    }

    /// <summary>Checks the signingTime, when present, against the local clock (RFC 8894 §3.2.1.4: badTime).</summary>
    /// <param name="now">The current time.</param>
    /// <param name="tolerance">The largest accepted difference in either direction.</param>
    /// <exception cref="ScepException"><see cref="ScepError.SigningTimeOutOfRange"/>.</exception>
    public void EnsureSigningTimeWithin(DateTimeOffset now, TimeSpan tolerance)
    {
        if (SigningTime is { } time && (time - now).Duration() > tolerance)
        {
            throw new ScepException(ScepError.SigningTimeOutOfRange, $"signingTime {time:u} is more than {tolerance} away from the server's time.");
        }
    }

    /// <summary>Builds, signs and envelopes a request of any type (RFC 8894 §3.3).</summary>
    /// <param name="messageType">The request type.</param>
    /// <param name="messageData">The plaintext messageData (DER).</param>
    /// <param name="parameters">Signer, recipient and algorithms.</param>
    /// <returns>The message, decoded from its own encoding.</returns>
    public static PkiMessage CreateRequest(MessageType messageType, ReadOnlySpan<byte> messageData, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (messageType == MessageType.CertRep)
        {
            throw new ArgumentException("Use CertRep to build replies.", nameof(messageType));
        }

        var envelope = PkiEnvelope.Create(messageData, parameters.RecipientCertificate, parameters.ContentEncryption, parameters.KeyTransport);
        return Build(
            messageType,
            parameters.TransactionId,
            parameters.SenderNonce,
            ReadOnlyMemory<byte>.Empty,
            status: null,
            failInfo: null,
            failInfoText: null,
            envelope,
            parameters.SignerCertificate,
            parameters.SignerKey,
            parameters.DigestAlgorithm,
            parameters.SigningTime,
            parameters.AdditionalCertificates,
            parameters.AdditionalSignedAttributes);
    }

    /// <summary>Builds a PKCSReq (19) for initial enrollment.</summary>
    /// <param name="request">The PKCS#10 request.</param>
    /// <param name="parameters">Signer (self-signed over the requested key), recipient and algorithms.</param>
    /// <returns>The message.</returns>
    public static PkiMessage CreatePkcsReq(Pkcs10Request request, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CreateRequest(MessageType.PKCSReq, request.RawData.Span, parameters);
    }

    /// <summary>Builds a RenewalReq (17), signed with the certificate being renewed.</summary>
    /// <param name="request">The PKCS#10 request, normally for a new key.</param>
    /// <param name="parameters">Signer (the existing certificate and its key), recipient and algorithms.</param>
    /// <returns>The message.</returns>
    public static PkiMessage CreateRenewalReq(Pkcs10Request request, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CreateRequest(MessageType.RenewalReq, request.RawData.Span, parameters);
    }

    /// <summary>Builds a CertPoll (20; GetCertInitial in the drafts) for a pending request.</summary>
    /// <param name="issuerAndSubject">The CA's name and the pending request's subject.</param>
    /// <param name="parameters">The original request's transactionID and signer.</param>
    /// <returns>The message.</returns>
    public static PkiMessage CreateCertPoll(IssuerAndSubject issuerAndSubject, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(issuerAndSubject);
        return CreateRequest(MessageType.CertPoll, issuerAndSubject.Encode(), parameters);
    }

    /// <summary>Builds a GetCert (21).</summary>
    /// <param name="certificate">The certificate asked for.</param>
    /// <param name="parameters">Signer, recipient and algorithms.</param>
    /// <returns>The message.</returns>
    public static PkiMessage CreateGetCert(IssuerAndSerialNumber certificate, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CreateRequest(MessageType.GetCert, certificate.Encode(), parameters);
    }

    /// <summary>Builds a GetCRL (22).</summary>
    /// <param name="certificate">The certificate whose revocation status is asked for.</param>
    /// <param name="parameters">Signer, recipient and algorithms.</param>
    /// <returns>The message.</returns>
    public static PkiMessage CreateGetCrl(IssuerAndSerialNumber certificate, PkiRequestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CreateRequest(MessageType.GetCRL, certificate.Encode(), parameters);
    }

    internal static PkiMessage Build(
        MessageType messageType,
        string transactionId,
        ReadOnlyMemory<byte> senderNonce,
        ReadOnlyMemory<byte> recipientNonce,
        PkiStatus? status,
        FailInfo? failInfo,
        string? failInfoText,
        PkiEnvelope? envelope,
        X509Certificate2 signerCertificate,
        AsymmetricAlgorithm signerKey,
        HashAlgorithmName digest,
        DateTimeOffset? signingTime,
        IReadOnlyList<X509Certificate2> additionalCertificates,
        IReadOnlyList<AsnEncodedData> additionalAttributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        ArgumentNullException.ThrowIfNull(signerCertificate);
        ArgumentNullException.ThrowIfNull(signerKey);
        if (transactionId.Length > Limits.MaxTransactionIdLength)
        {
            throw new ArgumentException("A transactionID has at most 255 characters.", nameof(transactionId));
        }

        if (!Algorithms.IsSupportedDigest(digest))
        {
            throw new ArgumentException($"Digest algorithm '{digest.Name}' is not supported by SCEP.", nameof(digest));
        }

        if (senderNonce.IsEmpty)
        {
            senderNonce = ScepNonce.Create();
        }

        var attributes = new List<KeyValuePair<string, byte[]>>
        {
            // RFC 8894 §3.2.1.1: PrintableString. A reply echoes a peer's non-printable ID in UTF8String rather than fail.
            new(ScepOids.TransactionId, DirectoryString.Encode(transactionId, null)),
            new(ScepOids.MessageType, SignedDataWriter.EncodePrintableString(((int)messageType).ToString(CultureInfo.InvariantCulture))),
            new(ScepOids.SenderNonce, SignedDataWriter.EncodeOctetString(senderNonce.Span)),
        };
        if (!recipientNonce.IsEmpty)
        {
            attributes.Add(new(ScepOids.RecipientNonce, SignedDataWriter.EncodeOctetString(recipientNonce.Span)));
        }

        if (status is { } s)
        {
            attributes.Add(new(ScepOids.PkiStatus, SignedDataWriter.EncodePrintableString(((int)s).ToString(CultureInfo.InvariantCulture))));
        }

        if (failInfo is { } f)
        {
            attributes.Add(new(ScepOids.FailInfo, SignedDataWriter.EncodePrintableString(((int)f).ToString(CultureInfo.InvariantCulture))));
        }

        if (!string.IsNullOrEmpty(failInfoText))
        {
            attributes.Add(new(ScepOids.FailInfoText, SignedDataWriter.EncodeUtf8String(failInfoText)));
        }

        foreach (var extra in additionalAttributes)
        {
            attributes.Add(new(extra.Oid?.Value ?? throw new ArgumentException("An additional attribute has no OID."), extra.RawData));
        }

        var certificates = new List<X509Certificate2>(1 + additionalCertificates.Count) { signerCertificate };
        certificates.AddRange(additionalCertificates);
        // A reply without pkcsPKIEnvelope (FAILURE, PENDING) still carries eContent, as a zero-length OCTET STRING
        // (micromdm does the same): OpenSSL's PKCS7_verify, used by certmonger and sscep, refuses an absent
        // eContent ("no content") and such a client then takes the reply for an unreachable server.
        var encoded = SignedDataWriter.WriteSigned(
            envelope is null ? ReadOnlySpan<byte>.Empty : envelope.RawData.Span,
            hasContent: true,
            certificates,
            signerCertificate,
            signerKey,
            digest,
            signingTime,
            attributes);
        return Decode(encoded);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Status is { } status
            ? $"{MessageType} {status}{(FailInfo is { } f ? " " + f : string.Empty)} transactionID={TransactionId}"
            : $"{MessageType} transactionID={TransactionId}";
}
