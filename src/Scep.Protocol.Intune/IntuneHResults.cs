using Scep.Protocol.Server;

namespace Scep.Protocol.Intune;

/// <summary>
/// The HRESULTs of failure notifications, which the Intune console shows the administrator. The reference asks for
/// 32-bit codes made as MS-ERREF §2.1 describes; these are customer codes (severity 1, C bit set: 0xA...), facility 0,
/// the code being the refusal's category, so each one names one documented reason (docs/intune.md lists them).
/// </summary>
public static class IntuneHResults
{
    /// <summary>Severity (0x80000000) and customer (0x20000000) bits.</summary>
    public const long CustomerFailure = 0xA0000000;

    /// <summary>The HRESULT for a refusal of this category.</summary>
    /// <param name="category">The refusal's category.</param>
    /// <returns>0xA0000000 plus the category's number.</returns>
    public static long For(RefusalCategory category) => CustomerFailure + (long)category;
}
