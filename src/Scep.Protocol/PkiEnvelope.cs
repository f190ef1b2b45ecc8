using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// The pkcsPKIEnvelope (RFC 8894 §3.2.2): a CMS EnvelopedData holding the messageData, still encrypted.
/// Decoding needs no key; <see cref="Decrypt"/> takes the recipient's key as a .NET key object, so the
/// key may live in an HSM.
/// </summary>
public sealed class PkiEnvelope
{
    private const string DecryptionFailedMessage = "The envelope cannot be decrypted with this server's key.";

    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Context0Constructed = new(TagClass.ContextSpecific, 0, isConstructed: true);

    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly AlgorithmIdentifier _contentEncryption;
    private readonly ReadOnlyMemory<byte> _encryptedContent;

    private PkiEnvelope(ReadOnlyMemory<byte> encoded, AlgorithmIdentifier contentEncryption, ReadOnlyMemory<byte> encryptedContent, IReadOnlyList<EnvelopeRecipient> recipients)
    {
        _encoded = encoded;
        _contentEncryption = contentEncryption;
        _encryptedContent = encryptedContent;
        Recipients = recipients;
        ContentEncryptionAlgorithm = Algorithms.ContentEncryptionFromOid(contentEncryption.Oid);
    }

    /// <summary>The encoding of the ContentInfo (envelopedData) as received or built.</summary>
    public ReadOnlyMemory<byte> RawData => _encoded;

    /// <summary>The content-encryption algorithm OID.</summary>
    public string ContentEncryptionAlgorithmOid => _contentEncryption.Oid;

    /// <summary>The content-encryption algorithm, or null when the OID is not one SCEP uses.</summary>
    public ContentEncryptionAlgorithm? ContentEncryptionAlgorithm { get; }

    /// <summary>The recipients, in the order of the encoding.</summary>
    public IReadOnlyList<EnvelopeRecipient> Recipients { get; }

    /// <summary>Decodes a ContentInfo holding an EnvelopedData (BER or DER).</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="ScepException"><see cref="ScepError.MalformedEnvelope"/>.</exception>
    public static PkiEnvelope Decode(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            BerValue.EnsureNestingWithinLimit(encoded.Span);
            var reader = new AsnReader(encoded, AsnEncodingRules.BER);
            var contentInfo = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var contentType = contentInfo.ReadObjectIdentifier();
            if (contentType != ScepOids.EnvelopedData)
            {
                throw new ScepException(ScepError.MalformedEnvelope, $"The pkcsPKIEnvelope holds {contentType}, not envelopedData.");
            }

            var explicitContent = contentInfo.ReadSequence(Context0Constructed);
            var enveloped = explicitContent.ReadSequence();
            if (!enveloped.TryReadInt32(out var version) || version < 0 || version > 4)
            {
                throw new ScepException(ScepError.MalformedEnvelope, "EnvelopedData has an invalid version.");
            }

            if (enveloped.PeekTag().HasSameClassAndValue(Context0))
            {
                enveloped.ReadEncodedValue(); // originatorInfo
            }

            var recipients = new List<EnvelopeRecipient>(1);
            var set = enveloped.ReadSetOf(skipSortOrderValidation: true);
            while (set.HasData)
            {
                if (recipients.Count == Limits.MaxSignersOrRecipients)
                {
                    throw new ScepException(ScepError.LimitExceeded, "EnvelopedData has too many recipients.");
                }

                recipients.Add(ReadRecipient(set));
            }

            var encryptedContentInfo = enveloped.ReadSequence();
            var innerType = encryptedContentInfo.ReadObjectIdentifier();
            if (innerType != ScepOids.Data)
            {
                throw new ScepException(ScepError.MalformedEnvelope, $"The encrypted content type is {innerType}, not data.");
            }

            var algorithm = AlgorithmIdentifier.Read(encryptedContentInfo);
            ReadOnlyMemory<byte> ciphertext = ReadOnlyMemory<byte>.Empty;
            if (encryptedContentInfo.HasData)
            {
                ciphertext = encryptedContentInfo.TryReadPrimitiveOctetString(out var primitive, Context0)
                    ? primitive
                    : encryptedContentInfo.ReadOctetString(Context0);
            }

            encryptedContentInfo.ThrowIfNotEmpty();
            // unprotectedAttrs [1] may follow; SCEP does not use them.
            return new PkiEnvelope(encoded, algorithm, ciphertext, recipients);
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.MalformedEnvelope, "The pkcsPKIEnvelope is not a well-formed EnvelopedData: " + e.Message, e);
        }
    }

    private static EnvelopeRecipient ReadRecipient(AsnReader set)
    {
        var tag = set.PeekTag();
        if (tag.TagClass == TagClass.ContextSpecific)
        {
            set.ReadEncodedValue();
            var type = tag.TagValue switch
            {
                1 => RecipientInfoType.KeyAgreement,
                2 => RecipientInfoType.KeyEncryptionKey,
                3 => RecipientInfoType.Password,
                _ => RecipientInfoType.Other,
            };
            return new EnvelopeRecipient(type, null, ReadOnlyMemory<byte>.Empty, null, null, ReadOnlyMemory<byte>.Empty);
        }

        var ktri = set.ReadSequence();
        ktri.TryReadInt32(out _);
        IssuerAndSerialNumber? issuerAndSerial = null;
        var ski = ReadOnlyMemory<byte>.Empty;
        if (ktri.PeekTag().HasSameClassAndValue(Context0))
        {
            ski = ktri.ReadOctetString(Context0);
        }
        else
        {
            issuerAndSerial = IssuerAndSerialNumber.Read(ktri);
        }

        var keyEncryption = AlgorithmIdentifier.Read(ktri);
        var encryptedKey = ktri.ReadOctetString();
        ktri.ThrowIfNotEmpty();
        return new EnvelopeRecipient(RecipientInfoType.KeyTransport, issuerAndSerial, ski, keyEncryption.Oid, keyEncryption, encryptedKey);
    }

    /// <summary>
    /// Encrypts <paramref name="content"/> to <paramref name="recipient"/>'s RSA key: a fresh content key and
    /// IV, a KeyTransRecipientInfo identified by issuer and serial number (RFC 8894 §3.2.2).
    /// </summary>
    /// <param name="content">The messageData to encrypt.</param>
    /// <param name="recipient">The certificate whose RSA public key receives the content key.</param>
    /// <param name="algorithm">The content-encryption algorithm.</param>
    /// <param name="keyTransport">The key-transport algorithm.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="ScepException">
    /// The recipient's key is not RSA, or too small for <paramref name="keyTransport"/> (<see cref="ScepError.UnsupportedAlgorithm"/>).
    /// </exception>
    public static PkiEnvelope Create(
        ReadOnlySpan<byte> content,
        X509Certificate2 recipient,
        ContentEncryptionAlgorithm algorithm = Protocol.ContentEncryptionAlgorithm.Aes128Cbc,
        KeyTransportAlgorithm keyTransport = KeyTransportAlgorithm.RsaPkcs1)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return Create(content, CertificateFacts.SubjectPublicKeyInfo(recipient).Span, IssuerAndSerialNumber.FromCertificate(recipient), algorithm, keyTransport);
    }

    /// <summary>Encrypts to the key <paramref name="recipientKey"/> (a DER SubjectPublicKeyInfo) of the certificate <paramref name="recipientId"/> names.</summary>
    internal static PkiEnvelope Create(
        ReadOnlySpan<byte> content,
        ReadOnlySpan<byte> recipientKey,
        IssuerAndSerialNumber recipientId,
        ContentEncryptionAlgorithm algorithm,
        KeyTransportAlgorithm keyTransport)
    {
        var oid = Algorithms.ContentEncryptionOid(algorithm);
        var padding = Algorithms.KeyTransportPadding(keyTransport);
        // The key object belongs to the process-wide PublicKeyCache: used here at once, never disposed here.
        var rsa = RecipientKey(recipientKey)
            ?? throw new ScepException(ScepError.UnsupportedAlgorithm, "The recipient certificate has no RSA key; SCEP key transport needs RSA.");

        // RFC 8017 §7.1.1 and §7.2.1: OAEP needs 2 hLen + 2 octets beside the message, PKCS#1 v1.5 needs 11.
        var overhead = padding.Mode == RSAEncryptionPaddingMode.Oaep ? (2 * Algorithms.DigestLength(padding.OaepHashAlgorithm)) + 2 : 11;
        if (rsa.KeySize / 8 < Algorithms.KeySize(algorithm) + overhead)
        {
            throw new ScepException(
                ScepError.UnsupportedAlgorithm,
                $"The recipient's {rsa.KeySize}-bit RSA key is too small to carry a {algorithm} key with {keyTransport}.");
        }

        var key = RandomNumberGenerator.GetBytes(Algorithms.KeySize(algorithm));
        var iv = RandomNumberGenerator.GetBytes(Algorithms.BlockSize(algorithm));
        byte[] ciphertext;
        byte[] encryptedKey;
        try
        {
            if (algorithm is Protocol.ContentEncryptionAlgorithm.DesCbc or Protocol.ContentEncryptionAlgorithm.TripleDesCbc)
            {
                SetOddParity(key);
            }

            using (var cipher = Algorithms.CreateCipher(algorithm, key))
            {
                ciphertext = cipher.EncryptCbc(content, iv, PaddingMode.PKCS7);
            }

            encryptedKey = rsa.Encrypt(key, padding);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.EnvelopedData);
        writer.PushSequence(Context0Constructed);
        writer.PushSequence();
        writer.WriteInteger(0);
        writer.PushSetOf();
        writer.PushSequence();
        writer.WriteInteger(0);
        recipientId.Write(writer);
        Algorithms.WriteKeyTransportAlgorithm(writer, keyTransport);
        writer.WriteOctetString(encryptedKey);
        writer.PopSequence();
        writer.PopSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.Data);
        writer.PushSequence();
        writer.WriteObjectIdentifier(oid);
        writer.WriteOctetString(iv);
        writer.PopSequence();
        writer.WriteOctetString(ciphertext, Context0);
        writer.PopSequence();
        writer.PopSequence();
        writer.PopSequence(Context0Constructed);
        writer.PopSequence();
        return Decode(writer.Encode());
    }

    private static RSA? RecipientKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        try
        {
            return PublicKeyCache.Get(subjectPublicKeyInfo) as RSA;
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static void SetOddParity(byte[] key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            var b = key[i] & 0xFE;
            key[i] = (byte)(b | ((System.Numerics.BitOperations.PopCount((uint)b) & 1) ^ 1));
        }
    }

    /// <summary>The first of <paramref name="candidates"/> that is a recipient of this envelope, or null.</summary>
    /// <param name="candidates">Decryption certificates, such as the current and the next CA certificate.</param>
    /// <returns>The matching certificate.</returns>
    /// <remarks>During a CA rollover this tells which CA key the client addressed (RFC 8894 §2.2, §4.7).</remarks>
    public X509Certificate2? FindRecipientCertificate(IEnumerable<X509Certificate2> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        foreach (var candidate in candidates)
        {
            foreach (var recipient in Recipients)
            {
                if (recipient.Matches(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Decrypts the messageData with the private key that belongs to <paramref name="recipientCertificate"/>.</summary>
    /// <param name="recipientCertificate">The certificate the sender encrypted to (identifies the RecipientInfo).</param>
    /// <param name="privateKey">Its RSA private key; any <see cref="RSA"/> implementation, including HSM-backed ones.</param>
    /// <param name="policy">Which algorithms to accept; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <returns>The decrypted messageData.</returns>
    /// <exception cref="ScepException">
    /// <see cref="ScepError.UnsupportedAlgorithm"/> or <see cref="ScepError.AlgorithmNotAllowed"/> (badAlg);
    /// <see cref="ScepError.RecipientNotFound"/> or <see cref="ScepError.DecryptionFailed"/> (badMessageCheck).
    /// </exception>
    /// <remarks>
    /// A wrong or tampered content key is not reported separately from a wrong ciphertext: both are
    /// <see cref="ScepError.DecryptionFailed"/>, and an RSA padding failure continues with a random key,
    /// so that the answer gives no padding oracle (RFC 3218 §2.3). Plaintext that is not one BER/DER
    /// value (what a wrong key yields even when the CBC padding happens to pass) is the same failure.
    /// </remarks>
    public byte[] Decrypt(X509Certificate2 recipientCertificate, RSA privateKey, ScepAlgorithmPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(recipientCertificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        policy ??= ScepAlgorithmPolicy.Default;

        var algorithm = ContentEncryptionAlgorithm
            ?? throw new ScepException(ScepError.UnsupportedAlgorithm, $"Content encryption {ContentEncryptionAlgorithmOid} is not supported.");
        policy.EnsureContentEncryptionAllowed(algorithm);

        EnvelopeRecipient? recipient = null;
        var sawPassword = false;
        foreach (var candidate in Recipients)
        {
            sawPassword |= candidate.Type == RecipientInfoType.Password;
            if (candidate.Matches(recipientCertificate))
            {
                recipient = candidate;
                break;
            }
        }

        if (recipient is null)
        {
            throw sawPassword
                ? new ScepException(ScepError.UnsupportedAlgorithm, "The envelope is for a password recipient (PasswordRecipientInfo), which this server does not decrypt.")
                : new ScepException(ScepError.RecipientNotFound, "The envelope is not encrypted to this server's certificate.");
        }

        var keyTransport = Algorithms.KeyTransportFromIdentifier(recipient.KeyEncryptionAlgorithm!.Value)
            ?? throw new ScepException(ScepError.UnsupportedAlgorithm, $"Key transport {recipient.KeyEncryptionAlgorithmOid} is not supported.");
        policy.EnsureKeyTransportAllowed(keyTransport);

        var iv = ReadIv(algorithm);
        var keySize = Algorithms.KeySize(algorithm);
        byte[] key;
        try
        {
            key = privateKey.Decrypt(recipient.EncryptedKey.ToArray(), Algorithms.KeyTransportPadding(keyTransport));
        }
        catch (CryptographicException)
        {
            key = RandomNumberGenerator.GetBytes(keySize);
        }

        if (key.Length != keySize)
        {
            CryptographicOperations.ZeroMemory(key);
            key = RandomNumberGenerator.GetBytes(keySize);
        }

        byte[] plaintext;
        try
        {
            using var cipher = Algorithms.CreateCipher(algorithm, key);
            plaintext = cipher.DecryptCbc(_encryptedContent.Span, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            throw new ScepException(ScepError.DecryptionFailed, DecryptionFailedMessage, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        // CBC padding is no integrity check: a wrong or tampered content key (or a garbled first block) still
        // passes it about one time in 200 and yields noise. Every messageData is one DER value (RFC 8894 §3.3),
        // so anything else is the same decryption failure, whichever way it was detected.
        if (!BerValue.TryMeasure(plaintext, out var consumed) || consumed != plaintext.Length)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new ScepException(ScepError.DecryptionFailed, DecryptionFailedMessage);
        }

        return plaintext;
    }

    private byte[] ReadIv(ContentEncryptionAlgorithm algorithm)
    {
        try
        {
            if (_contentEncryption.Parameters is { } parameters)
            {
                var iv = new AsnReader(parameters, AsnEncodingRules.BER).ReadOctetString();
                if (iv.Length == Algorithms.BlockSize(algorithm))
                {
                    return iv;
                }
            }
        }
        catch (AsnContentException)
        {
        }

        throw new ScepException(ScepError.MalformedEnvelope, "The content-encryption algorithm has no valid IV.");
    }
}
