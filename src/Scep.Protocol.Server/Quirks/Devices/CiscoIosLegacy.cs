namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// Older Cisco IOS routers (e.g. the 2800 series): requests with DES and MD5. Source: smallstep/certificates#2100
    /// (interop lessons 6): GET messages wrapped every 64 characters, an MD5 digest and a cipher the server lacked.
    /// </summary>
    public static DeviceQuirk CiscoIosLegacy { get; } = new(
        nameof(CiscoIosLegacy),
        "Cisco IOS routers of older releases",
        "smallstep/certificates#2100",
        "DES and MD5 requests are accepted (besides the defaults).",
        options =>
        {
            AddCiphers(options, ContentEncryptionAlgorithm.DesCbc);
            AddDigests(options, ScepDigest.Md5);
        });
}
