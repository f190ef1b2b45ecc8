using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>
/// The one home of device quirks: every behaviour a known device needs beyond RFC 8894, one file per device under
/// <c>Quirks/Devices/</c>, each citing its source. The rule for where a quirk lives: a leniency that is safe for
/// every client is always on and implemented in the codec or the transport (<see cref="DeviceQuirk.HandledBy"/>
/// names where; listed here so that it is found); behaviour that is not safe for everyone (legacy algorithms, leaving
/// the CA out of replies, ignoring signingTime) is an alias setting, and the settings a device needs are a named
/// quirk an alias lists in <see cref="ScepAliasOptions.Devices"/>.
/// </summary>
public static partial class DeviceQuirks
{
    private static IReadOnlyList<DeviceQuirk>? s_all;

    /// <summary>Every known quirk: the settings first, then the always-on leniencies.</summary>
    public static IReadOnlyList<DeviceQuirk> All => s_all ??=
    [
        CiscoPix, CiscoIosLegacy, Juniper, MobileIron, IvantiEpmmProxy, MicromdmScepClient, NoRealTimeClock,
        AppleUnescapedPlus, CiscoWrappedBase64, UrlSafeBase64, JscepIndefiniteLength, Pkcs7ContentForm, VendorAttributes,
        SscepCaIdentifier, WindowsOaep, CiscoRenewalByPkcsReq,
    ];

    /// <summary>The setting quirk named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">A name from <see cref="ScepAliasOptions.Devices"/>.</param>
    /// <returns>The quirk, or null when no setting has this name.</returns>
    public static DeviceQuirk? Find(string name) =>
        All.FirstOrDefault(q => q.IsSetting && q.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Applies the alias's <see cref="ScepAliasOptions.Devices"/> to its options (once, at start-up); unknown names are left to the validator.</summary>
    internal static void Apply(ScepAliasOptions options)
    {
        foreach (var name in options.Devices)
        {
            Find(name)?.ApplyTo(options);
        }
    }

    /// <summary>Adds ciphers to an alias's list, starting from the defaults when the list is empty (empty means the defaults).</summary>
    private static void AddCiphers(ScepAliasOptions options, params ContentEncryptionAlgorithm[] ciphers)
    {
        AddTo(options.EncryptionAlgorithms, ScepAliasOptions.DefaultEncryptionAlgorithms, ciphers);
    }

    /// <summary>Adds digests to an alias's list, starting from the defaults when the list is empty.</summary>
    private static void AddDigests(ScepAliasOptions options, params ScepDigest[] digests)
    {
        AddTo(options.DigestAlgorithms, ScepAliasOptions.DefaultDigestAlgorithms, digests);
    }

    private static void AddTo<T>(IList<T> list, IReadOnlyList<T> defaults, T[] items)
    {
        if (list.Count == 0)
        {
            foreach (var item in defaults)
            {
                list.Add(item);
            }
        }

        foreach (var item in items)
        {
            if (!list.Contains(item))
            {
                list.Add(item);
            }
        }
    }
}
