using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Scep.Protocol;

/// <summary>
/// Which digest, content-encryption and key-transport algorithms one side accepts. Immutable;
/// derive variants with the <c>With...</c> methods.
/// </summary>
/// <remarks>
/// <see cref="Default"/> is RFC 8894 plus the floor every deployed server handles (3DES, SHA-1);
/// <see cref="Legacy"/> adds single DES and MD5 for draft-era devices (old Cisco PIX, OpenSCEP).
/// RFC 8894 §7.5: DES and MD5 are downgrade targets, so they belong behind an explicit switch.
/// </remarks>
public sealed class ScepAlgorithmPolicy
{
    private ScepAlgorithmPolicy(
        ImmutableHashSet<HashAlgorithmName> digests,
        ImmutableHashSet<ContentEncryptionAlgorithm> encryptions,
        ImmutableHashSet<KeyTransportAlgorithm> keyTransports)
    {
        DigestAlgorithms = digests;
        ContentEncryptionAlgorithms = encryptions;
        KeyTransportAlgorithms = keyTransports;
    }

    /// <summary>SHA-1, SHA-256, SHA-384, SHA-512; AES-128/192/256-CBC and 3DES; RSA PKCS#1 v1.5 and OAEP.</summary>
    public static ScepAlgorithmPolicy Default { get; } = new(
        [HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512],
        [ContentEncryptionAlgorithm.TripleDesCbc, ContentEncryptionAlgorithm.Aes128Cbc, ContentEncryptionAlgorithm.Aes192Cbc, ContentEncryptionAlgorithm.Aes256Cbc],
        [KeyTransportAlgorithm.RsaPkcs1, KeyTransportAlgorithm.RsaOaepSha1, KeyTransportAlgorithm.RsaOaepSha256, KeyTransportAlgorithm.RsaOaepSha384, KeyTransportAlgorithm.RsaOaepSha512]);

    /// <summary><see cref="Default"/> plus MD5 and single DES, for draft-era devices.</summary>
    public static ScepAlgorithmPolicy Legacy { get; } = Default
        .WithDigestAlgorithms([.. Default.DigestAlgorithms, HashAlgorithmName.MD5])
        .WithContentEncryptionAlgorithms([.. Default.ContentEncryptionAlgorithms, ContentEncryptionAlgorithm.DesCbc]);

    /// <summary>RFC 8894 only: SHA-256 and stronger, AES only.</summary>
    public static ScepAlgorithmPolicy Strict { get; } = Default
        .WithDigestAlgorithms([HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512])
        .WithContentEncryptionAlgorithms([ContentEncryptionAlgorithm.Aes128Cbc, ContentEncryptionAlgorithm.Aes192Cbc, ContentEncryptionAlgorithm.Aes256Cbc]);

    /// <summary>Accepted message digest algorithms (the CMS digestAlgorithm of the signer).</summary>
    public IReadOnlySet<HashAlgorithmName> DigestAlgorithms { get; }

    /// <summary>Accepted content-encryption algorithms of the pkcsPKIEnvelope.</summary>
    public IReadOnlySet<ContentEncryptionAlgorithm> ContentEncryptionAlgorithms { get; }

    /// <summary>Accepted key-transport algorithms of the pkcsPKIEnvelope.</summary>
    public IReadOnlySet<KeyTransportAlgorithm> KeyTransportAlgorithms { get; }

    /// <summary>A copy that accepts exactly <paramref name="algorithms"/> as digests.</summary>
    /// <param name="algorithms">The digests to accept: MD5, SHA1, SHA256, SHA384, SHA512.</param>
    /// <returns>The new policy.</returns>
    public ScepAlgorithmPolicy WithDigestAlgorithms(IEnumerable<HashAlgorithmName> algorithms)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        var set = algorithms.ToImmutableHashSet();
        foreach (var name in set)
        {
            if (!Internal.Algorithms.IsSupportedDigest(name))
            {
                throw new ArgumentException($"Digest algorithm '{name.Name}' is not supported by SCEP.", nameof(algorithms));
            }
        }

        return new ScepAlgorithmPolicy(set, (ImmutableHashSet<ContentEncryptionAlgorithm>)ContentEncryptionAlgorithms, (ImmutableHashSet<KeyTransportAlgorithm>)KeyTransportAlgorithms);
    }

    /// <summary>A copy that accepts exactly <paramref name="algorithms"/> for content encryption.</summary>
    /// <param name="algorithms">The content-encryption algorithms to accept.</param>
    /// <returns>The new policy.</returns>
    public ScepAlgorithmPolicy WithContentEncryptionAlgorithms(IEnumerable<ContentEncryptionAlgorithm> algorithms)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        return new ScepAlgorithmPolicy((ImmutableHashSet<HashAlgorithmName>)DigestAlgorithms, algorithms.ToImmutableHashSet(), (ImmutableHashSet<KeyTransportAlgorithm>)KeyTransportAlgorithms);
    }

    /// <summary>A copy that accepts exactly <paramref name="algorithms"/> for key transport.</summary>
    /// <param name="algorithms">The key-transport algorithms to accept.</param>
    /// <returns>The new policy.</returns>
    public ScepAlgorithmPolicy WithKeyTransportAlgorithms(IEnumerable<KeyTransportAlgorithm> algorithms)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        return new ScepAlgorithmPolicy((ImmutableHashSet<HashAlgorithmName>)DigestAlgorithms, (ImmutableHashSet<ContentEncryptionAlgorithm>)ContentEncryptionAlgorithms, algorithms.ToImmutableHashSet());
    }

    /// <summary>Throws <see cref="ScepException"/> (<see cref="ScepError.AlgorithmNotAllowed"/>, badAlg) unless the digest is accepted.</summary>
    /// <param name="digest">The digest algorithm.</param>
    public void EnsureDigestAllowed(HashAlgorithmName digest)
    {
        if (!DigestAlgorithms.Contains(digest))
        {
            throw new ScepException(ScepError.AlgorithmNotAllowed, $"Digest algorithm {digest.Name} is not allowed here.");
        }
    }

    /// <summary>Throws <see cref="ScepException"/> (<see cref="ScepError.AlgorithmNotAllowed"/>, badAlg) unless the content encryption is accepted.</summary>
    /// <param name="algorithm">The content-encryption algorithm.</param>
    public void EnsureContentEncryptionAllowed(ContentEncryptionAlgorithm algorithm)
    {
        if (!ContentEncryptionAlgorithms.Contains(algorithm))
        {
            throw new ScepException(ScepError.AlgorithmNotAllowed, $"Content encryption {algorithm} is not allowed here.");
        }
    }

    /// <summary>Throws <see cref="ScepException"/> (<see cref="ScepError.AlgorithmNotAllowed"/>, badAlg) unless the key transport is accepted.</summary>
    /// <param name="algorithm">The key-transport algorithm.</param>
    public void EnsureKeyTransportAllowed(KeyTransportAlgorithm algorithm)
    {
        if (!KeyTransportAlgorithms.Contains(algorithm))
        {
            throw new ScepException(ScepError.AlgorithmNotAllowed, $"Key transport {algorithm} is not allowed here.");
        }
    }
}
