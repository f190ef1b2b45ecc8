using System;
using System.Security.Cryptography;

namespace Scep.Protocol.Server;

/// <summary>The digest algorithms an alias can allow or force, by a name that configuration files can bind.</summary>
public enum ScepDigest
{
    /// <summary>MD5: legacy only (old Cisco PIX).</summary>
    Md5 = 1,

    /// <summary>SHA-1.</summary>
    Sha1,

    /// <summary>SHA-256.</summary>
    Sha256,

    /// <summary>SHA-384.</summary>
    Sha384,

    /// <summary>SHA-512.</summary>
    Sha512,
}

/// <summary>Conversions of <see cref="ScepDigest"/>.</summary>
public static class ScepDigestExtensions
{
    /// <summary>The .NET name of the digest.</summary>
    /// <param name="digest">The digest.</param>
    /// <returns>The hash algorithm name.</returns>
    public static HashAlgorithmName ToHashAlgorithmName(this ScepDigest digest) => digest switch
    {
        ScepDigest.Md5 => HashAlgorithmName.MD5,
        ScepDigest.Sha1 => HashAlgorithmName.SHA1,
        ScepDigest.Sha256 => HashAlgorithmName.SHA256,
        ScepDigest.Sha384 => HashAlgorithmName.SHA384,
        ScepDigest.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(digest), digest, "Unknown digest."),
    };
}
