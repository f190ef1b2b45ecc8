using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol;

/// <summary>What a server needs to build a CertRep (RFC 8894 §3.3.2).</summary>
public sealed class CertRepParameters
{
    /// <summary>The CA or RA certificate that signs the reply.</summary>
    public required X509Certificate2 SignerCertificate { get; init; }

    /// <summary>Its private key (RSA or ECDsa; any implementation, including HSM-backed ones).</summary>
    public required AsymmetricAlgorithm SignerKey { get; init; }

    /// <summary>The signingTime, taken from the server's clock. Replies always carry one.</summary>
    public required DateTimeOffset SigningTime { get; init; }

    /// <summary>The reply digest; null uses the request's (forcing MD5 serves old Cisco PIX).</summary>
    public HashAlgorithmName? DigestAlgorithm { get; init; }

    /// <summary>The content encryption of a SUCCESS reply; null uses the request's own algorithm.</summary>
    public ContentEncryptionAlgorithm? ContentEncryption { get; init; }

    /// <summary>The key transport of a SUCCESS reply; RSA PKCS#1 v1.5 by default.</summary>
    public KeyTransportAlgorithm KeyTransport { get; init; } = KeyTransportAlgorithm.RsaPkcs1;

    /// <summary>The reply's senderNonce; 16 fresh random bytes when left empty (never the client's nonce).</summary>
    public ReadOnlyMemory<byte> SenderNonce { get; init; }

    /// <summary>Certificates to add after the signer's in the reply's certificates field.</summary>
    public IReadOnlyList<X509Certificate2> AdditionalCertificates { get; init; } = [];

    /// <summary>Extra signed attributes; each encodes one value.</summary>
    public IReadOnlyList<AsnEncodedData> AdditionalSignedAttributes { get; init; } = [];
}
