using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Upstream;

/// <summary>
/// An upstream SCEP CA that issues for the aliases whose <c>CaName</c> is <see cref="CaName"/>; this server is then its
/// registration authority (docs/upstream.md). Set in code or bound from configuration, then given to
/// <c>AddUpstreamCa</c>.
/// </summary>
public sealed class UpstreamCaOptions
{
    /// <summary>The configuration section the sample host binds: <c>Upstream</c>.</summary>
    public const string SectionName = "Upstream";

    /// <summary>The CA name the forwarding aliases use (<c>ScepAliasOptions.CaName</c>). Default: <c>upstream</c>.</summary>
    public string CaName { get; set; } = "upstream";

    /// <summary>Whether this server sends requests to the upstream (<see cref="UpstreamMode.Forward"/>) or the upstream fetches them (<see cref="UpstreamMode.Pull"/>). Default: forward.</summary>
    public UpstreamMode Mode { get; set; } = UpstreamMode.Forward;

    /// <summary>The upstream's SCEP URL (…/pkiclient.exe or …/scep); forward mode only.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// The upstream CA certificate. It is what devices get from GetCACert here, and it is pinned: the upstream's
    /// GetCACert must hold exactly this certificate, or nothing is sent to it.
    /// </summary>
    public X509Certificate2? CaCertificate { get; set; }

    /// <summary>
    /// The RA's certificate with its RSA private key: devices encrypt their requests to it and get replies signed by it,
    /// and it signs the requests forwarded upstream (the upstream trusts it, e.g. <c>TrustedRaSigners</c> on a
    /// Scep.Protocol CA). Best issued by the upstream CA, with digitalSignature and keyEncipherment.
    /// </summary>
    public X509Certificate2? RaCertificate { get; set; }

    /// <summary>The upstream's CA identifier (the <c>message</c> of GetCACert and GetCACaps), when it needs one.</summary>
    public string? CaIdentifier { get; set; }

    /// <summary>
    /// Accept replies the upstream encrypts with DES-CBC or signs with MD5 or SHA-1 (<c>ScepAlgorithmPolicy.Legacy</c>), as
    /// older CAs (micromdm's scepserver) do. Default: false (AES and SHA-2 only).
    /// </summary>
    public bool AllowLegacyAlgorithms { get; set; }

    /// <summary>How long one exchange with the upstream may take. Default: 15 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>What a device is told when the upstream cannot be reached. Default: <see cref="UpstreamUnavailable.Pending"/>.</summary>
    public UpstreamUnavailable WhenUnavailable { get; set; } = UpstreamUnavailable.Pending;

    /// <summary>The first wait before a request that could not be sent is sent again; it doubles up to <see cref="MaxRetryDelay"/>. Default: 5 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts. Default: 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a request the upstream holds PENDING is polled in the background (a device's poll also polls). Default: 30 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After this long without an answer from the upstream a request is rejected ("the upstream CA did not answer"). Default: 7 days.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the background worker looks for requests that are due. Default: 1 second.</summary>
    public TimeSpan WorkerInterval { get; set; } = TimeSpan.FromSeconds(1);
}
