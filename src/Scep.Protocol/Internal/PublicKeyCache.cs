using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Internal;

/// <summary>
/// The public keys most recently imported on this thread, by SubjectPublicKeyInfo. One enrollment uses the
/// client's key up to four times (message signature, proof of possession, self-signed check, reply envelope),
/// and importing a key costs about as much as a quarter of an RSA-2048 private-key operation on OpenSSL 3.0.
/// Per thread, so no key object is ever used by two threads; a key returned is valid until the next call on
/// the same thread, and callers use it at once.
/// </summary>
internal static class PublicKeyCache
{
    private const int Capacity = 8;

    [ThreadStatic]
    private static List<(byte[] Spki, AsymmetricAlgorithm Key)>? t_entries;

    /// <summary>The key for <paramref name="spki"/> (RSA or ECDsa), or null when it is neither.</summary>
    /// <exception cref="CryptographicException">The key cannot be imported.</exception>
    /// <exception cref="PlatformNotSupportedException">An EC curve the platform does not implement.</exception>
    public static AsymmetricAlgorithm? Get(ReadOnlySpan<byte> spki)
    {
        var entries = t_entries ??= new List<(byte[], AsymmetricAlgorithm)>(Capacity);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Spki.AsSpan().SequenceEqual(spki))
            {
                var hit = entries[i];
                if (i != entries.Count - 1)
                {
                    entries.RemoveAt(i);
                    entries.Add(hit);
                }

                return hit.Key;
            }
        }

        var key = Import(spki);
        if (key is null)
        {
            return null;
        }

        if (entries.Count == Capacity)
        {
            entries[0].Key.Dispose();
            entries.RemoveAt(0);
        }

        entries.Add((spki.ToArray(), key));
        return key;
    }

    private static AsymmetricAlgorithm? Import(ReadOnlySpan<byte> spki)
    {
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _);
        return publicKey.Oid.Value switch
        {
            ScepOids.RsaEncryption => publicKey.GetRSAPublicKey(),
            ScepOids.EcPublicKey => publicKey.GetECDsaPublicKey(),
            _ => null,
        };
    }
}
