using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace Scep.Protocol.Internal;

/// <summary>
/// The public keys most recently imported in this process, by SubjectPublicKeyInfo. One enrollment uses the
/// client's key up to four times (message signature, proof of possession, self-signed check, reply envelope),
/// and importing a key costs about as much as a quarter of an RSA-2048 private-key operation on OpenSSL 3.0
/// (RSA keys take a shorter way there, <see cref="OpenSslRsaKeyImport"/>).
/// A server's request continues on whichever thread-pool thread its awaits resume on, so the cache is shared by
/// all threads (a per-thread cache imported the client's key again whenever the request resumed on another thread).
/// </summary>
/// <remarks>
/// Key objects are only used for public-key operations, which OpenSSL allows on one key from several threads at
/// once. An entry that falls out of the cache is not disposed: another thread may be using it this moment, and
/// the garbage collector releases it once nobody does.
/// </remarks>
internal static class PublicKeyCache
{
    private const int Capacity = 64;

    private static readonly Lock s_lock = new();
    private static readonly (byte[] Spki, AsymmetricAlgorithm Key, long LastUse)[] s_entries = new (byte[], AsymmetricAlgorithm, long)[Capacity];
    private static int s_count;
    private static long s_clock;

    /// <summary>The key for <paramref name="spki"/> (RSA or ECDsa), or null when it is neither.</summary>
    /// <exception cref="CryptographicException">The key cannot be imported.</exception>
    /// <exception cref="PlatformNotSupportedException">An EC curve the platform does not implement.</exception>
    public static AsymmetricAlgorithm? Get(ReadOnlySpan<byte> spki)
    {
        lock (s_lock)
        {
            for (var i = 0; i < s_count; i++)
            {
                if (s_entries[i].Spki.AsSpan().SequenceEqual(spki))
                {
                    s_entries[i].LastUse = ++s_clock;
                    return s_entries[i].Key;
                }
            }
        }

        // Imported outside the lock: two threads may import the same new key at once, and both copies work.
        var key = Import(spki);
        if (key is null)
        {
            return null;
        }

        lock (s_lock)
        {
            var slot = s_count;
            if (s_count < Capacity)
            {
                s_count++;
            }
            else
            {
                slot = 0;
                for (var i = 1; i < Capacity; i++)
                {
                    if (s_entries[i].LastUse < s_entries[slot].LastUse)
                    {
                        slot = i;
                    }
                }
            }

            s_entries[slot] = (spki.ToArray(), key, ++s_clock);
        }

        return key;
    }

    private static AsymmetricAlgorithm? Import(ReadOnlySpan<byte> spki)
    {
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _);
        return publicKey.Oid.Value switch
        {
            ScepOids.RsaEncryption => OpenSslRsaKeyImport.TryImport(publicKey.EncodedKeyValue.RawData) ?? publicKey.GetRSAPublicKey(),
            ScepOids.EcPublicKey => publicKey.GetECDsaPublicKey(),
            _ => null,
        };
    }
}
