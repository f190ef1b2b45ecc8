namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// Juniper NetScreen, SRX and Junos: the CA certificate must not be in the SUCCESS reply. Source: EJBCA's SCEP
    /// documentation, introduction ("some clients such as the Cisco VPN client require it while others, such as
    /// Juniper's, prohibit it") and Tested Devices, "Juniper Networks NetScreen-25/NetScreen-50".
    /// </summary>
    public static DeviceQuirk Juniper { get; } = new(
        nameof(Juniper),
        "Juniper NetScreen, SRX, Junos",
        "EJBCA SCEP documentation: introduction; Tested Devices: Juniper Networks NetScreen-25/NetScreen-50",
        "SUCCESS replies carry only the issued certificate.",
        options => options.IncludeCaCertificateInReply = false);
}
