using System;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client.Internal;

/// <summary>Verifies the signature of an X.509 SIGNED structure (a certificate or a CRL) with an issuer's public key.</summary>
internal static class SignatureVerifier
{
    /// <summary>Whether the certificate's issuer name is the CA's subject and the CA's key verifies its signature.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca) =>
        NamesEqual(certificate.IssuerName, ca.SubjectName) && Verifies(certificate.RawDataMemory, ca.PublicKey);

    public static bool NamesEqual(X500DistinguishedName left, X500DistinguishedName right) =>
        left.RawData.AsSpan().SequenceEqual(right.RawData)
        || string.Equals(left.Format(multiLine: false), right.Format(multiLine: false), StringComparison.OrdinalIgnoreCase);

    /// <summary>SIGNED{ToBeSigned} ::= SEQUENCE { toBeSigned, algorithm AlgorithmIdentifier, signature BIT STRING } (RFC 5280 §4.1, §5.1).</summary>
    public static bool Verifies(ReadOnlyMemory<byte> signed, PublicKey issuerKey)
    {
        try
        {
            var reader = new AsnReader(signed, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var toBeSigned = sequence.ReadEncodedValue();
            var algorithm = sequence.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var signature = sequence.ReadBitString(out var unusedBits);
            if (unusedBits != 0)
            {
                return false;
            }

            switch (oid)
            {
                case "1.2.840.113549.1.1.5":
                    return VerifyRsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA1);
                case "1.2.840.113549.1.1.11":
                    return VerifyRsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA256);
                case "1.2.840.113549.1.1.12":
                    return VerifyRsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA384);
                case "1.2.840.113549.1.1.13":
                    return VerifyRsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA512);
                case "1.2.840.10045.4.1":
                    return VerifyEcdsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA1);
                case "1.2.840.10045.4.3.2":
                    return VerifyEcdsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA256);
                case "1.2.840.10045.4.3.3":
                    return VerifyEcdsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA384);
                case "1.2.840.10045.4.3.4":
                    return VerifyEcdsa(issuerKey, toBeSigned.Span, signature, HashAlgorithmName.SHA512);
                default:
                    return false;
            }
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool VerifyRsa(PublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        using var rsa = key.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool VerifyEcdsa(PublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        using var ecdsa = key.GetECDsaPublicKey();
        return ecdsa is not null && ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
