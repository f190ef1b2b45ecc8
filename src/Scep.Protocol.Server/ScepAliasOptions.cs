using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>
/// The configuration of one SCEP alias (<c>/scep/{alias}/pkiclient.exe</c>), as in EJBCA. Every option has a
/// default that works with the common clients; docs/server.md lists them all.
/// </summary>
public sealed class ScepAliasOptions
{
    /// <summary>CA mode (pre-registered end entities with one-time codes) or RA mode (entities created from requests). Default: CA.</summary>
    public ScepOperationMode Mode { get; set; } = ScepOperationMode.Ca;

    /// <summary>The name under which <see cref="IScepCredentialProvider"/> knows this alias's CA. Default: <c>default</c>.</summary>
    public string CaName { get; set; } = "default";

    /// <summary>
    /// Names a client may send as the GetCACert/GetCACaps <c>message</c> for this alias's CA (for example
    /// <c>MobileIronSCEP</c>, which MobileIron always sends). Compared case-insensitively; the CA's own name,
    /// <c>CAIdentifier</c> and an empty value always match. Default: none.
    /// </summary>
    public IList<string> CaIdentifiers { get; } = new List<string>();

    /// <summary>When true, a GetCACert/GetCACaps/GetNextCACert <c>message</c> that names no known CA gets HTTP 404 instead of this alias's CA. Default: false.</summary>
    public bool StrictCaIdentifier { get; set; }

    /// <summary>Put the CA certificate after the issued certificate in SUCCESS replies (Cisco VPN client needs it, Juniper refuses it). Default: true.</summary>
    public bool IncludeCaCertificateInReply { get; set; } = true;

    /// <summary>Also put the CA's chain (intermediates, and the root if <see cref="IncludeRootInReplies"/>) in SUCCESS replies and in GetCACert. Default: true.</summary>
    public bool IncludeChainInReplies { get; set; } = true;

    /// <summary>Include the self-signed root of the chain where <see cref="IncludeChainInReplies"/> adds the chain. Default: false (some clients misbehave on renewal with it).</summary>
    public bool IncludeRootInReplies { get; set; }

    /// <summary>Accept client certificate renewal: RenewalReq, UpdateReq, and PKCSReq signed by a certificate this CA issued. Default: false.</summary>
    public bool AllowRenewal { get; set; }

    /// <summary>Accept a renewal whose request certifies the old key again. Default: false.</summary>
    public bool AllowRenewalWithOldKey { get; set; }

    /// <summary>The fraction of the old certificate's validity that must have elapsed before it may be renewed (EJBCA: half). Default: 0.5.</summary>
    public double RenewalMinimumElapsedFraction { get; set; } = 0.5;

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

    /// <summary>The digest of every reply regardless of the request's (MD5 for old Cisco PIX). Default: none (mirror the request).</summary>
    public ScepDigest? ForcedReplyDigest { get; set; }

    /// <summary>Accept PKIOperation over HTTP POST (advertised as POSTPKIOperation). Default: true.</summary>
    public bool AllowPost { get; set; } = true;

    /// <summary>Accept PKIOperation over HTTP GET. Default: true (Cisco, certmonger and many devices use GET).</summary>
    public bool AllowGet { get; set; } = true;

    /// <summary>How far a request's signingTime may be from the server's clock; null ignores signingTime (devices without a real-time clock). Default: 24 hours.</summary>
    public TimeSpan? SigningTimeTolerance { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The largest pkiMessage accepted, in bytes (POST body, or the decoded GET message). Default: 128 KiB.</summary>
    public int MaxMessageSize { get; set; } = 128 * 1024;

    /// <summary>Whether the authority may answer PENDING (manual approval and CertPoll). Default: true.</summary>
    public bool AllowPending { get; set; } = true;

    /// <summary>
    /// Require a PKCSReq's CSR key to equal its signer certificate's key (RFC 8894 §2.3). Turn off for RA-proxy
    /// setups where one client enrolls for many devices (Ivanti EPMM). Default: true.
    /// </summary>
    public bool RequireSignerKeyMatchesRequest { get; set; } = true;

    /// <summary>Answer GetCert (21) and GetCRL (22). Default: true.</summary>
    public bool AllowGetCertAndGetCrl { get; set; } = true;

    /// <summary>In RA mode: the static challenge every request must carry, checked in constant time. Null leaves it to a registered <see cref="IChallengeValidator"/>. Default: none.</summary>
    public string? RaChallenge { get; set; }

    /// <summary>In RA mode: profile data stored on end entities created from requests (certificate profile, end entity profile, ...). Default: empty.</summary>
    public IDictionary<string, string> RaEntityDefaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
