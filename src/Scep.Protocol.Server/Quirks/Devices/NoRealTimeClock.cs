namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// Devices that enroll before their clock is set (routers and appliances without a battery-backed clock) sign
    /// with a signingTime far from now. Source: EJBCA's SCEP documentation, "Cisco PIX/3000" ("Ensure that the PIX
    /// Firewall clock is set ... before configuring CA"); RFC 8894 §3 does not require signingTime at all.
    /// </summary>
    public static DeviceQuirk NoRealTimeClock { get; } = new(
        nameof(NoRealTimeClock),
        "Devices without a set clock",
        "EJBCA SCEP documentation, Tested Devices: Cisco PIX/3000; RFC 8894 §3",
        "The request's signingTime is not checked.",
        options => options.SigningTimeTolerance = null);
}
