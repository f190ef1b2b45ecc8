namespace Scep.Protocol.Server;

/// <summary>The alias's replies: which certificates accompany the issued one, and GetCACert's chain.</summary>
public sealed partial class ScepAliasOptions
{
    /// <summary>Put the CA certificate after the issued certificate in SUCCESS replies (Cisco VPN client needs it, <see cref="DeviceQuirks.Juniper"/> refuses it). Default: true.</summary>
    public bool IncludeCaCertificateInReply { get; set; } = true;

    /// <summary>Also put the CA's chain (intermediates, and the root if <see cref="IncludeRootInReplies"/>) in SUCCESS replies and in GetCACert. Default: true.</summary>
    public bool IncludeChainInReplies { get; set; } = true;

    /// <summary>Include the self-signed root of the chain where <see cref="IncludeChainInReplies"/> adds the chain. Default: false (some clients misbehave on renewal with it).</summary>
    public bool IncludeRootInReplies { get; set; }
}
