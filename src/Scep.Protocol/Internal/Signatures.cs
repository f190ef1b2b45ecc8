using System;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Internal;

/// <summary>Signature creation and verification for RSA (PKCS#1 v1.5) and ECDSA keys.</summary>
internal static class Signatures
{
    /// <summary>Verifies <paramref name="signature"/> over <paramref name="data"/>.</summary>
    /// <param name="key">The signer's public key.</param>
    /// <param name="algorithm">The signature AlgorithmIdentifier.</param>
    /// <param name="hashWhenUnnamed">The hash to use when the identifier names none (rsaEncryption in a SignerInfo).</param>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The signature value.</param>
    /// <exception cref="ScepException">The algorithm is unknown (badAlg).</exception>
    public static bool VerifyData(PublicKey key, AlgorithmIdentifier algorithm, HashAlgorithmName? hashWhenUnnamed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        VerifyData(key.ExportSubjectPublicKeyInfo(), algorithm, hashWhenUnnamed, data, signature);

    /// <summary>Verifies <paramref name="signature"/> over <paramref name="data"/> with the key of a SubjectPublicKeyInfo (imported once, <see cref="PublicKeyCache"/>).</summary>
    /// <param name="subjectPublicKeyInfo">The signer's DER SubjectPublicKeyInfo.</param>
    /// <param name="algorithm">The signature AlgorithmIdentifier.</param>
    /// <param name="hashWhenUnnamed">The hash to use when the identifier names none (rsaEncryption in a SignerInfo).</param>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The signature value.</param>
    /// <exception cref="ScepException">The algorithm is unknown (badAlg).</exception>
    public static bool VerifyData(ReadOnlySpan<byte> subjectPublicKeyInfo, AlgorithmIdentifier algorithm, HashAlgorithmName? hashWhenUnnamed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var (kind, hash) = Algorithms.SignatureFromOid(algorithm.Oid);
        hash ??= hashWhenUnnamed;
        if (kind == SignatureKeyKind.Unknown || hash is null || !Algorithms.IsSupportedDigest(hash.Value))
        {
            throw new ScepException(ScepError.UnsupportedAlgorithm, $"Signature algorithm {algorithm.Oid} is not supported.");
        }

        try
        {
            switch (kind)
            {
                case SignatureKeyKind.Rsa:
                    if (PublicKeyCache.Get(subjectPublicKeyInfo) is not RSA rsa)
                    {
                        return false;
                    }

                    EnsureRsaKeyWithinLimits(subjectPublicKeyInfo);
                    return rsa.VerifyData(data, signature, hash.Value, RSASignaturePadding.Pkcs1);

                default:
                    return hash.Value != HashAlgorithmName.MD5
                        && PublicKeyCache.Get(subjectPublicKeyInfo) is ECDsa ecdsa
                        && ecdsa.VerifyData(data, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
            }
        }
        catch (CryptographicException)
        {
            // A key the platform cannot load, or a signature of the wrong shape, does not verify.
            return false;
        }
        catch (PlatformNotSupportedException e)
        {
            // An EC key on a curve this platform does not implement: the algorithm, not the signature, is the problem.
            throw new ScepException(ScepError.UnsupportedAlgorithm, "The public key's parameters are not supported on this platform: " + e.Message, e);
        }
    }

    /// <summary>
    /// Keys from the network are checked before they are used: a modulus outside
    /// <see cref="Limits.MinRsaKeySize"/>..<see cref="Limits.MaxRsaKeySize"/> bits or an exponent over
    /// <see cref="Limits.MaxRsaExponentLength"/> octets is refused (badAlg).
    /// </summary>
    /// <remarks>
    /// Read from the DER rather than from the imported key: exporting an OpenSSL 3.0 key's parameters runs its
    /// encoder framework, which costs more than the verification itself.
    /// </remarks>
    private static void EnsureRsaKeyWithinLimits(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        int modulusBits;
        int exponentLength;
        try
        {
            // BER, the superset: whatever encoding the platform imported, the bound is read from it.
            const AsnEncodingRules Ber = AsnEncodingRules.BER;
            AsnDecoder.ReadSequence(subjectPublicKeyInfo, Ber, out var offset, out var length, out _);
            var spki = subjectPublicKeyInfo.Slice(offset, length);
            AsnDecoder.ReadEncodedValue(spki, Ber, out _, out _, out var algorithmLength);
            var bits = AsnDecoder.ReadBitString(spki[algorithmLength..], Ber, out _, out _);
            AsnDecoder.ReadSequence(bits, Ber, out offset, out length, out _);
            var rsaPublicKey = bits.AsSpan(offset, length);
            var modulus = AsnDecoder.ReadIntegerBytes(rsaPublicKey, Ber, out var modulusLength);
            var exponent = AsnDecoder.ReadIntegerBytes(rsaPublicKey[modulusLength..], Ber, out _);
            modulus = modulus.TrimStart((byte)0);
            exponent = exponent.TrimStart((byte)0);
            modulusBits = modulus.IsEmpty ? 0 : (modulus.Length * 8) - BitOperations.LeadingZeroCount((uint)modulus[0]) + 24;
            exponentLength = exponent.Length;
        }
        catch (AsnContentException e)
        {
            // The platform imported it, but a key whose size cannot be read is not one whose cost is bounded.
            throw new ScepException(ScepError.UnsupportedAlgorithm, "The RSA public key cannot be read.", e);
        }

        if (modulusBits is < Limits.MinRsaKeySize or > Limits.MaxRsaKeySize)
        {
            throw new ScepException(ScepError.UnsupportedAlgorithm, $"An RSA key of {modulusBits} bits is outside the accepted {Limits.MinRsaKeySize} to {Limits.MaxRsaKeySize} bits.");
        }

        if (exponentLength is 0 or > Limits.MaxRsaExponentLength)
        {
            throw new ScepException(ScepError.UnsupportedAlgorithm, $"An RSA public exponent is longer than {Limits.MaxRsaExponentLength} octets.");
        }
    }

    /// <summary>Signs <paramref name="data"/> with an RSA (PKCS#1 v1.5) or ECDSA key; the key may live in an HSM.</summary>
    public static byte[] SignData(AsymmetricAlgorithm key, HashAlgorithmName hash, ReadOnlySpan<byte> data) => key switch
    {
        RSA rsa => rsa.SignData(data.ToArray(), hash, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa when hash != HashAlgorithmName.MD5 => ecdsa.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence),
        ECDsa => throw new ArgumentException("ECDSA cannot sign with MD5.", nameof(hash)),
        _ => throw new ArgumentException("The signing key must be RSA or ECDsa.", nameof(key)),
    };

    /// <summary>Whether the signature of a SIGNED structure (certificate, CRL: RFC 5280 §4.1, §5.1) verifies with <paramref name="issuerKey"/>.</summary>
    public static bool SignedStructureVerifies(ReadOnlyMemory<byte> signed, PublicKey issuerKey) =>
        SignedStructureVerifies(signed, issuerKey.ExportSubjectPublicKeyInfo());

    /// <summary>Whether the signature of a SIGNED structure verifies with the key of a DER SubjectPublicKeyInfo.</summary>
    public static bool SignedStructureVerifies(ReadOnlyMemory<byte> signed, ReadOnlySpan<byte> issuerSubjectPublicKeyInfo)
    {
        try
        {
            var reader = new AsnReader(signed, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var tbs = sequence.ReadEncodedValue();
            var algorithm = AlgorithmIdentifier.Read(sequence);
            var signature = sequence.ReadBitString(out var unusedBits);
            return unusedBits == 0 && VerifyData(issuerSubjectPublicKeyInfo, algorithm, null, tbs.Span, signature);
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (ScepException)
        {
            return false;
        }
    }
}
