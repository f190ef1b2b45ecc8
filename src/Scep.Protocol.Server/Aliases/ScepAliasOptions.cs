using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>
/// The configuration of one SCEP alias (<c>/scep/{alias}/pkiclient.exe</c>), as in EJBCA. Every option has a
/// default that works with the common clients; docs/server.md lists them all. The options are grouped by concern,
/// one file each: who may enroll (this file), transport, algorithms, replies, renewal; <see cref="Devices"/> applies
/// the named device quirks of <see cref="DeviceQuirks"/> on top.
/// </summary>
public sealed partial class ScepAliasOptions
{
    /// <summary>CA mode (pre-registered end entities with one-time codes) or RA mode (entities created from requests). Default: CA.</summary>
    public ScepOperationMode Mode { get; set; } = ScepOperationMode.Ca;

    /// <summary>The name under which <see cref="IScepCredentialProvider"/> knows this alias's CA. Default: <c>default</c>.</summary>
    public string CaName { get; set; } = "default";

    /// <summary>In RA mode: the static challenge every request must carry, checked in constant time. Null leaves it to the registered <see cref="IChallengeValidator"/>s. Default: none.</summary>
    public string? RaChallenge { get; set; }

    /// <summary>In RA mode: profile data stored on end entities created from requests (certificate profile, end entity profile, ...). Default: empty.</summary>
    public IDictionary<string, string> RaEntityDefaults { get; } = new Dictionary<string, string>(System.StringComparer.Ordinal);

    /// <summary>Whether the authority may answer PENDING (manual approval and CertPoll). Default: true.</summary>
    public bool AllowPending { get; set; } = true;

    /// <summary>
    /// Require a PKCSReq's CSR key to equal its signer certificate's key (RFC 8894 §2.3). Turn off for RA-proxy
    /// setups where one client enrolls for many devices (<see cref="DeviceQuirks.IvantiEpmmProxy"/>). Default: true.
    /// </summary>
    public bool RequireSignerKeyMatchesRequest { get; set; } = true;

    /// <summary>
    /// RA mode only: SHA-256 fingerprints (hex) of the certificates of registration authorities that forward their
    /// devices' requests here, each signing with its own key (docs/upstream.md). A
    /// PKCSReq signed by one of them is an initial enrollment the RA has authorized: no challenge is asked for, the CSR's
    /// key is not the signer's, and the RA may hold a certificate this CA issued without the request being a renewal.
    /// The RA alone may poll or re-send it. Default: none.
    /// </summary>
    public IList<string> TrustedRaSigners { get; } = new List<string>();

    /// <summary>
    /// Names of device quirks (<see cref="DeviceQuirks"/>) applied to this alias at start-up, e.g. <c>CiscoPix</c>: each
    /// sets what its device needs over the settings here (the lists of algorithms and identifiers are only added to).
    /// Default: none.
    /// </summary>
    public IList<string> Devices { get; } = new List<string>();
}
