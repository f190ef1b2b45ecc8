using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol;

/// <summary>Ways to make a transactionID (RFC 8894 §3.2.1.1): any PrintableString unique to one operation.</summary>
public static class ScepTransactionId
{
    /// <summary>32 upper-case hexadecimal characters from 16 random bytes: unique even when a key is reused.</summary>
    /// <returns>The transactionID.</returns>
    public static string CreateRandom() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The draft-era derivation still common in the field (jscep): upper-case hexadecimal of a digest of the
    /// DER SubjectPublicKeyInfo. RFC 8894 dropped it because two requests with one key collide.
    /// </summary>
    /// <param name="publicKey">The key being certified.</param>
    /// <param name="hashAlgorithm">The digest; SHA-256 when null.</param>
    /// <returns>The transactionID.</returns>
    public static string FromPublicKey(PublicKey publicKey, HashAlgorithmName? hashAlgorithm = null)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var hash = hashAlgorithm ?? HashAlgorithmName.SHA256;
        if (!Internal.Algorithms.IsSupportedDigest(hash))
        {
            throw new ArgumentException($"Digest algorithm '{hash.Name}' is not supported.", nameof(hashAlgorithm));
        }

        return Convert.ToHexString(CryptographicOperations.HashData(hash, publicKey.ExportSubjectPublicKeyInfo()));
    }
}
