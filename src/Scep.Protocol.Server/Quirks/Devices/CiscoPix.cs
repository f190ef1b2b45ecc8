namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// Cisco PIX and old ASA: replies digested with MD5, DES/3DES and MD5/SHA-1 requests. Source: EJBCA's SCEP
    /// documentation, Tested Devices, "Cisco PIX/3000" ("Cisco PIX (older) needs the SCEP response messages to use MD5").
    /// The certificate side of PIX (unstructuredName in the DN, a dNSName SAN for the VPN clients) is the issuer's
    /// profile, not an alias setting.
    /// </summary>
    public static DeviceQuirk CiscoPix { get; } = new(
        nameof(CiscoPix),
        "Cisco PIX and old ASA",
        "EJBCA SCEP documentation, Tested Devices: Cisco PIX/3000",
        "Every reply is digested with MD5; DES, 3DES, MD5 and SHA-1 requests are accepted.",
        options =>
        {
            options.ForcedReplyDigest = ScepDigest.Md5;
            AddCiphers(options, ContentEncryptionAlgorithm.DesCbc, ContentEncryptionAlgorithm.TripleDesCbc);
            AddDigests(options, ScepDigest.Md5, ScepDigest.Sha1);
        });
}
