namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// Ivanti EPMM (MobileIron Core) as a SCEP proxy enrolls for many devices with its own signing key, so the CSR's key
    /// differs from the signer's. Source: jscep#276 (interop lessons 44).
    /// </summary>
    public static DeviceQuirk IvantiEpmmProxy { get; } = new(
        nameof(IvantiEpmmProxy),
        "Ivanti EPMM proxying for devices",
        "seize-the-dave/jscep#276",
        "A PKCSReq's CSR key need not be the key that signed the message (RFC 8894 §2.3's check is off).",
        options => options.RequireSignerKeyMatchesRequest = false);
}
