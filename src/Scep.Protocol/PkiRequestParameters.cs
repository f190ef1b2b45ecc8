using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol;

/// <summary>What a client needs to build a request pkiMessage (RFC 8894 §3.2, §3.3).</summary>
public sealed class PkiRequestParameters
{
    /// <summary>The transactionID (RFC 8894 §3.2.1.1): any PrintableString, the same for every message of one operation.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The senderNonce; 16 fresh random bytes when left empty.</summary>
    public ReadOnlyMemory<byte> SenderNonce { get; init; }

    /// <summary>
    /// The certificate that signs the request: for PKCSReq a self-signed certificate over the requested key,
    /// for RenewalReq the existing certificate.
    /// </summary>
    public required X509Certificate2 SignerCertificate { get; init; }

    /// <summary>The signer's private key (RSA or ECDsa; any implementation, including HSM-backed ones).</summary>
    public required AsymmetricAlgorithm SignerKey { get; init; }

    /// <summary>The CMS digest algorithm; SHA-256 unless the server's capabilities say otherwise.</summary>
    public HashAlgorithmName DigestAlgorithm { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>The CA or RA certificate the messageData is encrypted to (RFC 8894 §2.2: chosen by key usage).</summary>
    public required X509Certificate2 RecipientCertificate { get; init; }

    /// <summary>The content-encryption algorithm; AES-128-CBC by default.</summary>
    public ContentEncryptionAlgorithm ContentEncryption { get; init; } = ContentEncryptionAlgorithm.Aes128Cbc;

    /// <summary>The key-transport algorithm; RSA PKCS#1 v1.5 by default.</summary>
    public KeyTransportAlgorithm KeyTransport { get; init; } = KeyTransportAlgorithm.RsaPkcs1;

    /// <summary>The signingTime attribute; left out when null.</summary>
    public DateTimeOffset? SigningTime { get; init; }

    /// <summary>Certificates to add after the signer's (for example its chain).</summary>
    public IReadOnlyList<X509Certificate2> AdditionalCertificates { get; init; } = [];

    /// <summary>Extra signed attributes (vendor attributes, for device emulation); each encodes one value.</summary>
    public IReadOnlyList<AsnEncodedData> AdditionalSignedAttributes { get; init; } = [];
}
