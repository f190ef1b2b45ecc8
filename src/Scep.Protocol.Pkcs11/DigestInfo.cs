using System;
using System.Security.Cryptography;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// The DER DigestInfo prefix of each hash (RFC 8017 §9.2, note 1): CKM_RSA_PKCS signs DigestInfo || hash, built here,
/// since the token's hash-and-sign mechanisms would hash again.
/// </summary>
internal static class DigestInfo
{
    private static readonly byte[] Sha1 = Convert.FromHexString("3021300906052B0E03021A05000414");
    private static readonly byte[] Sha256 = Convert.FromHexString("3031300D060960864801650304020105000420");
    private static readonly byte[] Sha384 = Convert.FromHexString("3041300D060960864801650304020205000430");
    private static readonly byte[] Sha512 = Convert.FromHexString("3051300D060960864801650304020305000440");

    public static byte[] Encode(ReadOnlySpan<byte> hash, HashAlgorithmName algorithm)
    {
        var (prefix, length) = algorithm.Name switch
        {
            "SHA1" => (Sha1, 20),
            "SHA256" => (Sha256, 32),
            "SHA384" => (Sha384, 48),
            "SHA512" => (Sha512, 64),
            _ => throw new CryptographicException($"The hash {algorithm.Name} is not supported for PKCS#11 RSA signatures."),
        };
        if (hash.Length != length)
        {
            throw new CryptographicException($"A {algorithm.Name} hash is {length} bytes, not {hash.Length}.");
        }

        return [.. prefix, .. hash];
    }
}
