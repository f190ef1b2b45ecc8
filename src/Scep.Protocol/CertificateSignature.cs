using System;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// Signature checks on X.509 SIGNED structures (certificates and CRLs, RFC 5280 §4.1, §5.1) with an issuer's key:
/// RSA PKCS#1 v1.5 and ECDSA with MD5 (RSA only), SHA-1, SHA-256, SHA-384, SHA-512. No chain building, no clock.
/// </summary>
public static class CertificateSignature
{
    /// <summary>Whether <paramref name="issuer"/> issued <paramref name="certificate"/>: the names chain and the signature verifies.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <param name="issuer">The candidate issuer.</param>
    /// <returns>True when both hold.</returns>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        return CertificateFacts.IsIssuedBy(certificate, issuer);
    }

    /// <summary>Whether the signature of a DER certificate or CRL verifies with <paramref name="issuerKey"/>.</summary>
    /// <param name="signedStructure">The DER encoding of the certificate or CRL.</param>
    /// <param name="issuerKey">The issuer's public key.</param>
    /// <returns>False for a bad signature, an unknown algorithm, or input that is not a SIGNED structure.</returns>
    public static bool Verifies(ReadOnlyMemory<byte> signedStructure, PublicKey issuerKey)
    {
        ArgumentNullException.ThrowIfNull(issuerKey);
        return Signatures.SignedStructureVerifies(signedStructure, issuerKey);
    }
}
