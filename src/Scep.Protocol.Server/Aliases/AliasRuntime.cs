using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>An alias's options with what is derived from them once: the algorithm policy and the trusted RA fingerprints.</summary>
internal sealed class AliasRuntime
{
    public AliasRuntime(string name, ScepAliasOptions options)
    {
        Name = name;
        Options = options;
        Policy = ScepAlgorithmPolicy.Default
            .WithDigestAlgorithms(options.EffectiveDigestAlgorithms.Select(d => d.ToHashAlgorithmName()))
            .WithContentEncryptionAlgorithms(options.EffectiveEncryptionAlgorithms);
        _trustedRaSigners = options.TrustedRaSigners.Select(Convert.FromHexString).ToArray();
    }

    private readonly byte[][] _trustedRaSigners;

    public string Name { get; }

    public ScepAliasOptions Options { get; }

    public ScepAlgorithmPolicy Policy { get; }

    /// <summary>Whether a request's signer is one of <see cref="ScepAliasOptions.TrustedRaSigners"/> (compared by SHA-256 of its DER).</summary>
    public bool IsTrustedRaSigner(ReadOnlySpan<byte> signerCertificate)
    {
        if (_trustedRaSigners.Length == 0)
        {
            return false;
        }

        Span<byte> fingerprint = stackalloc byte[32];
        SHA256.HashData(signerCertificate, fingerprint);
        foreach (var trusted in _trustedRaSigners)
        {
            if (trusted.AsSpan().SequenceEqual(fingerprint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 8894 §3.5.2: exactly what this alias does, never a fixed list.</summary>
    public CaCapabilities Capabilities(ScepCaCredentials credentials)
    {
        var o = Options;
        var ciphers = o.EffectiveEncryptionAlgorithms;
        var digests = o.EffectiveDigestAlgorithms;
        var caps = new List<CaCapability>();
        var aes = ciphers.Contains(ContentEncryptionAlgorithm.Aes128Cbc);
        var sha256 = digests.Contains(ScepDigest.Sha256);
        if (aes)
        {
            caps.Add(CaCapability.Aes);
        }

        if (ciphers.Contains(ContentEncryptionAlgorithm.TripleDesCbc))
        {
            caps.Add(CaCapability.Des3);
        }

        if (credentials.Next is not null)
        {
            caps.Add(CaCapability.GetNextCACert);
        }

        if (o.AllowPost)
        {
            caps.Add(CaCapability.PostPkiOperation);
        }

        if (o.AllowRenewal)
        {
            caps.Add(CaCapability.Renewal);
        }

        if (digests.Contains(ScepDigest.Sha1))
        {
            caps.Add(CaCapability.Sha1);
        }

        if (sha256)
        {
            caps.Add(CaCapability.Sha256);
        }

        if (digests.Contains(ScepDigest.Sha512))
        {
            caps.Add(CaCapability.Sha512);
        }

        var legacy = ciphers.Contains(ContentEncryptionAlgorithm.DesCbc) || digests.Contains(ScepDigest.Md5);
        if (aes && sha256 && o.AllowPost && !legacy)
        {
            caps.Add(CaCapability.ScepStandard);
        }

        return CaCapabilities.Create(caps);
    }

    /// <summary>The reply digest: forced, else the request's when this alias accepts it, else one the alias accepts (SHA-256 first).</summary>
    public HashAlgorithmName ReplyDigest(PkiMessage? request)
    {
        if (Options.ForcedReplyDigest is { } forced)
        {
            return forced.ToHashAlgorithmName();
        }

        if (request is not null && Policy.DigestAlgorithms.Contains(request.DigestAlgorithm))
        {
            return request.DigestAlgorithm;
        }

        // The request's digest is not one this alias accepts: answer with the first the alias does, SHA-256 first.
        foreach (var preferred in (ReadOnlySpan<HashAlgorithmName>)[HashAlgorithmName.SHA256, HashAlgorithmName.SHA512, HashAlgorithmName.SHA384, HashAlgorithmName.SHA1, HashAlgorithmName.MD5])
        {
            if (Policy.DigestAlgorithms.Contains(preferred))
            {
                return preferred;
            }
        }

        return HashAlgorithmName.SHA256;
    }

    /// <summary>The certificates after the issued one in a SUCCESS reply.</summary>
    public List<X509Certificate2> ReplyExtras(X509Certificate2 issuingCa, IReadOnlyList<X509Certificate2> chain)
    {
        var extras = new List<X509Certificate2>();
        if (Options.IncludeCaCertificateInReply)
        {
            extras.Add(issuingCa);
            extras.AddRange(ChainToInclude(chain));
        }

        return extras;
    }

    public IEnumerable<X509Certificate2> ChainToInclude(IReadOnlyList<X509Certificate2> chain) =>
        Options.IncludeChainInReplies
            ? chain.Where(c => Options.IncludeRootInReplies || c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) is false)
            : [];
}
