using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Scep.Protocol;

/// <summary>
/// The GetCACaps reply as a typed set (RFC 8894 §3.5.2): keywords compared case-insensitively, LF or CRLF,
/// unknown keywords kept; <c>SCEPStandard</c> implies <c>AES</c>, <c>POSTPKIOperation</c> and <c>SHA-256</c>.
/// </summary>
public sealed class CaCapabilities
{
    private static readonly (CaCapability Capability, string Keyword)[] Keywords =
    [
        (CaCapability.Aes, "AES"),
        (CaCapability.Des3, "DES3"),
        (CaCapability.GetNextCACert, "GetNextCACert"),
        (CaCapability.PostPkiOperation, "POSTPKIOperation"),
        (CaCapability.Renewal, "Renewal"),
        (CaCapability.Sha1, "SHA-1"),
        (CaCapability.Sha256, "SHA-256"),
        (CaCapability.Sha512, "SHA-512"),
        (CaCapability.ScepStandard, "SCEPStandard"),
        (CaCapability.Update, "Update"),
    ];

    private readonly ImmutableHashSet<CaCapability> _advertised;

    private CaCapabilities(ImmutableHashSet<CaCapability> advertised, ImmutableArray<string> otherKeywords)
    {
        _advertised = advertised;
        OtherKeywords = otherKeywords;
    }

    /// <summary>No capabilities: an empty reply, an HTTP error, or a server without GetCACaps.</summary>
    public static CaCapabilities Empty { get; } = new([], []);

    /// <summary>The capabilities exactly as advertised (without implications).</summary>
    public IReadOnlySet<CaCapability> Advertised => _advertised;

    /// <summary>Keywords this codec does not know (private <c>prefix-Name</c> capabilities among them), as sent.</summary>
    public IReadOnlyList<string> OtherKeywords { get; }

    /// <summary>Whether nothing was advertised.</summary>
    public bool IsEmpty => _advertised.IsEmpty && OtherKeywords.Count == 0;

    /// <summary>Whether PKIOperation must be sent by POST (RFC 8894 §4.1: POSTPKIOperation or SCEPStandard).</summary>
    public bool UsePost => Supports(CaCapability.PostPkiOperation);

    /// <summary>The wire keyword of a capability, in the exact case servers must emit.</summary>
    /// <param name="capability">The capability.</param>
    /// <returns>The keyword.</returns>
    public static string KeywordOf(CaCapability capability)
    {
        foreach (var (c, keyword) in Keywords)
        {
            if (c == capability)
            {
                return keyword;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(capability), capability, "Unknown capability.");
    }

    /// <summary>Parses a GetCACaps body: one keyword per line, LF or CRLF, any case, blank lines and spaces ignored.</summary>
    /// <param name="text">The body, or null for none.</param>
    /// <returns>The capabilities.</returns>
    public static CaCapabilities Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var known = ImmutableHashSet.CreateBuilder<CaCapability>();
        var others = ImmutableArray.CreateBuilder<string>();
        foreach (var line in text.Split('\n'))
        {
            var keyword = line.Trim();
            if (keyword.Length == 0)
            {
                continue;
            }

            var match = Keywords.FirstOrDefault(k => string.Equals(k.Keyword, keyword, StringComparison.OrdinalIgnoreCase));
            if (match.Keyword is not null)
            {
                known.Add(match.Capability);
            }
            else if (!others.Contains(keyword, StringComparer.OrdinalIgnoreCase))
            {
                others.Add(keyword);
            }
        }

        return new CaCapabilities(known.ToImmutable(), others.ToImmutable());
    }

    /// <summary>Creates a capability set, as a server advertises it.</summary>
    /// <param name="capabilities">The capabilities.</param>
    /// <param name="otherKeywords">Further keywords, such as private <c>Example.com-Name</c> ones.</param>
    /// <returns>The set.</returns>
    public static CaCapabilities Create(IEnumerable<CaCapability> capabilities, IEnumerable<string>? otherKeywords = null)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var others = (otherKeywords ?? []).Select(k => k.Trim()).Where(k => k.Length > 0).ToImmutableArray();
        if (others.Any(k => k.Contains('\n', StringComparison.Ordinal) || k.Contains('\r', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A keyword cannot contain a line break.", nameof(otherKeywords));
        }

        return new CaCapabilities(capabilities.ToImmutableHashSet(), others);
    }

    /// <summary>Whether the capability was advertised, directly or through <c>SCEPStandard</c>.</summary>
    /// <param name="capability">The capability.</param>
    /// <returns>True when the client may use it.</returns>
    public bool Supports(CaCapability capability) =>
        _advertised.Contains(capability)
        || (_advertised.Contains(CaCapability.ScepStandard)
            && capability is CaCapability.Aes or CaCapability.PostPkiOperation or CaCapability.Sha256);

    /// <summary>Whether a keyword was advertised (case-insensitive), including unknown ones.</summary>
    /// <param name="keyword">The keyword.</param>
    /// <returns>True when present.</returns>
    public bool Contains(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        var match = Keywords.FirstOrDefault(k => string.Equals(k.Keyword, keyword.Trim(), StringComparison.OrdinalIgnoreCase));
        return match.Keyword is not null
            ? _advertised.Contains(match.Capability)
            : OtherKeywords.Contains(keyword.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The strongest content encryption both sides support: AES-128 when <c>AES</c> (or <c>SCEPStandard</c>),
    /// else triple DES. When the server names no cipher, the RFC 8894 floor of triple DES, or single DES
    /// where the client's policy allows nothing better (draft default).
    /// </summary>
    /// <param name="clientPolicy">What the client accepts; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <returns>The algorithm.</returns>
    /// <exception cref="ScepException">No common algorithm (<see cref="ScepError.AlgorithmNotAllowed"/>).</exception>
    public ContentEncryptionAlgorithm SelectContentEncryption(ScepAlgorithmPolicy? clientPolicy = null)
    {
        var allowed = (clientPolicy ?? ScepAlgorithmPolicy.Default).ContentEncryptionAlgorithms;
        var namesCipher = Supports(CaCapability.Aes) || Supports(CaCapability.Des3);
        if (Supports(CaCapability.Aes) && allowed.Contains(ContentEncryptionAlgorithm.Aes128Cbc))
        {
            return ContentEncryptionAlgorithm.Aes128Cbc;
        }

        if ((Supports(CaCapability.Des3) || !namesCipher) && allowed.Contains(ContentEncryptionAlgorithm.TripleDesCbc))
        {
            return ContentEncryptionAlgorithm.TripleDesCbc;
        }

        if (!namesCipher && allowed.Contains(ContentEncryptionAlgorithm.DesCbc))
        {
            return ContentEncryptionAlgorithm.DesCbc;
        }

        throw new ScepException(ScepError.AlgorithmNotAllowed, "The server advertises no content encryption that this client accepts.");
    }

    /// <summary>
    /// The strongest digest both sides support (SHA-512, SHA-256, SHA-1). When the server names no digest,
    /// SHA-1 (the floor every server handles), or MD5 where the client's policy allows nothing better.
    /// </summary>
    /// <param name="clientPolicy">What the client accepts; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <returns>The digest.</returns>
    /// <exception cref="ScepException">No common algorithm (<see cref="ScepError.AlgorithmNotAllowed"/>).</exception>
    public HashAlgorithmName SelectDigest(ScepAlgorithmPolicy? clientPolicy = null)
    {
        var allowed = (clientPolicy ?? ScepAlgorithmPolicy.Default).DigestAlgorithms;
        var namesDigest = Supports(CaCapability.Sha512) || Supports(CaCapability.Sha256) || Supports(CaCapability.Sha1);
        if (Supports(CaCapability.Sha512) && allowed.Contains(HashAlgorithmName.SHA512))
        {
            return HashAlgorithmName.SHA512;
        }

        if (Supports(CaCapability.Sha256) && allowed.Contains(HashAlgorithmName.SHA256))
        {
            return HashAlgorithmName.SHA256;
        }

        if ((Supports(CaCapability.Sha1) || !namesDigest) && allowed.Contains(HashAlgorithmName.SHA1))
        {
            return HashAlgorithmName.SHA1;
        }

        if (!namesDigest && allowed.Contains(HashAlgorithmName.MD5))
        {
            return HashAlgorithmName.MD5;
        }

        throw new ScepException(ScepError.AlgorithmNotAllowed, "The server advertises no digest that this client accepts.");
    }

    /// <summary>The GetCACaps body: one keyword per line, LF-terminated, in a stable order.</summary>
    /// <returns>The body.</returns>
    public string Format()
    {
        var builder = new StringBuilder();
        foreach (var (capability, keyword) in Keywords)
        {
            if (_advertised.Contains(capability))
            {
                builder.Append(keyword).Append('\n');
            }
        }

        foreach (var keyword in OtherKeywords)
        {
            builder.Append(keyword).Append('\n');
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format().TrimEnd('\n').Replace('\n', ' ');
}
