namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>
    /// micromdm's scepclient 2.1 (Debian package <c>scep</c>) encrypts with DES-CBC and digests with SHA-1 only.
    /// Source: tested here (tests with the real client; docs/devices.md).
    /// </summary>
    public static DeviceQuirk MicromdmScepClient { get; } = new(
        nameof(MicromdmScepClient),
        "micromdm scepclient 2.1",
        "Interop tests in this repository (docs/devices.md)",
        "DES-CBC requests are accepted (SHA-1 is a default).",
        options =>
        {
            AddCiphers(options, ContentEncryptionAlgorithm.DesCbc);
            AddDigests(options, ScepDigest.Sha1);
        });
}
