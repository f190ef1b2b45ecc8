namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// MobileIron (Ivanti EPMM) sends <c>message=MobileIronSCEP</c> with every GetCACaps and GetCACert. Source: EJBCA's
    /// SCEP documentation, Tested Devices, "MobileIron". Needed only with <see cref="ScepAliasOptions.StrictCaIdentifier"/>:
    /// otherwise an unknown identifier already gets the alias's CA.
    /// </summary>
    public static DeviceQuirk MobileIron { get; } = new(
        nameof(MobileIron),
        "MobileIron / Ivanti EPMM",
        "EJBCA SCEP documentation, Tested Devices: MobileIron",
        "The CA identifier MobileIronSCEP names this alias's CA.",
        options =>
        {
            if (!options.CaIdentifiers.Contains("MobileIronSCEP"))
            {
                options.CaIdentifiers.Add("MobileIronSCEP");
            }
        });
}
