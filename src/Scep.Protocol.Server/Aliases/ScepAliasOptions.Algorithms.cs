using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>The alias's algorithms: accepted ciphers and digests, the reply digest, the signingTime tolerance.</summary>
public sealed partial class ScepAliasOptions
{
    /// <summary>
    /// Content-encryption algorithms accepted in requests (and advertised). Empty means the default set:
    /// AES-128/192/256-CBC and 3DES. Listing algorithms replaces the default set (configuration binding appends
    /// to lists, so the defaults are not pre-filled).
    /// </summary>
    public IList<ContentEncryptionAlgorithm> EncryptionAlgorithms { get; } = new List<ContentEncryptionAlgorithm>();

    /// <summary>Digests accepted in requests (and advertised). Empty means the default set: SHA-1, SHA-256, SHA-384, SHA-512. Listing digests replaces the default set.</summary>
    public IList<ScepDigest> DigestAlgorithms { get; } = new List<ScepDigest>();

    /// <summary>The default <see cref="EncryptionAlgorithms"/>.</summary>
    public static IReadOnlyList<ContentEncryptionAlgorithm> DefaultEncryptionAlgorithms { get; } =
        [ContentEncryptionAlgorithm.Aes128Cbc, ContentEncryptionAlgorithm.Aes192Cbc, ContentEncryptionAlgorithm.Aes256Cbc, ContentEncryptionAlgorithm.TripleDesCbc];

    /// <summary>The default <see cref="DigestAlgorithms"/>.</summary>
    public static IReadOnlyList<ScepDigest> DefaultDigestAlgorithms { get; } = [ScepDigest.Sha1, ScepDigest.Sha256, ScepDigest.Sha384, ScepDigest.Sha512];

    /// <summary>The content-encryption algorithms in force: <see cref="EncryptionAlgorithms"/>, or the defaults when it is empty.</summary>
    public IReadOnlyList<ContentEncryptionAlgorithm> EffectiveEncryptionAlgorithms =>
        EncryptionAlgorithms.Count == 0 ? DefaultEncryptionAlgorithms : [.. EncryptionAlgorithms.Distinct()];

    /// <summary>The digests in force: <see cref="DigestAlgorithms"/>, or the defaults when it is empty.</summary>
    public IReadOnlyList<ScepDigest> EffectiveDigestAlgorithms =>
        DigestAlgorithms.Count == 0 ? DefaultDigestAlgorithms : [.. DigestAlgorithms.Distinct()];

    /// <summary>The digest of every reply regardless of the request's (MD5 for old Cisco PIX, <see cref="DeviceQuirks.CiscoPix"/>). Default: none (mirror the request).</summary>
    public ScepDigest? ForcedReplyDigest { get; set; }

    /// <summary>How far a request's signingTime may be from the server's clock; null ignores signingTime (<see cref="DeviceQuirks.NoRealTimeClock"/>). Default: 24 hours.</summary>
    public TimeSpan? SigningTimeTolerance { get; set; } = TimeSpan.FromHours(24);
}
