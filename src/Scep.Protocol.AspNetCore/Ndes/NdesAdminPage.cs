using System.Net;
using System.Text;

namespace Scep.Protocol.AspNetCore;

/// <summary>
/// The HTML of NDES's <c>/certsrv/mscep_admin/</c> page, in the parts MDM integrations scrape. Fleet
/// (fleetdm/fleet, ee/server/service/scep/scep_proxy.go, GetNDESSCEPChallenge) wants HTTP 200, decodes UTF-16LE
/// (BOM, or a body starting with '&lt;' 0x00) before anything else, then matches
/// <c>(?i)The enrollment challenge password is: &lt;B&gt; (?P&lt;password&gt;\S*)</c>; without a match it looks for
/// "The password cache is full." and "You do not have sufficient permission to enroll with SCEP.". The wording around
/// those sentences follows the NDES pages in Fleet's test data (sceptest/testdata/mscep_admin_*.html).
/// </summary>
internal static class NdesAdminPage
{
    /// <summary>The sentence before the password (Fleet's challengeRegex); the password follows after "&lt;B&gt; " and is followed by a space.</summary>
    public const string PasswordLead = "The enrollment challenge password is: <B> ";

    /// <summary>Fleet's fullPasswordCache.</summary>
    public const string CacheFull = "The password cache is full.";

    /// <summary>Fleet's ndesInsufficientPermissions.</summary>
    public const string InsufficientPermission = "You do not have sufficient permission to enroll with SCEP.";

    /// <summary>NDES answers in UTF-16LE (Fleet: "Windows NDES servers return UTF-16 LE (often without BOM)"); no BOM here either.</summary>
    public static readonly Encoding Encoding = new UnicodeEncoding(bigEndian: false, byteOrderMark: false);

    public const string ContentType = "text/html; charset=utf-16le";

    public static byte[] Password(string password, int validityMinutes) => Page(
        "<P> To complete certificate enrollment for your network device you will need the following information: "
        + "<P> " + PasswordLead + WebUtility.HtmlEncode(password) + " </B> "
        + $"<P> This password can be used only once and will expire within {validityMinutes} minutes. "
        + "<P> Each enrollment requires a new challenge password. You can refresh this web page to obtain a new challenge password. </P>");

    public static byte[] Full(int max, int validityMinutes) => Page(
        "<P> " + CacheFull + " <P> Unused passwords are kept for later use"
        + $" for {validityMinutes} minutes. <P>Use one of the existing passwords, wait until one expires or is used,"
        + $" or configure the service to keep more than {max} passwords. </P>");

    private static byte[] Page(string body) => Encoding.GetBytes(
        "<HTML><Head><Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; charset=UTF-16\"><Title>Network Device Enrollment Service</Title></Head>"
        + "<Body><P> Network Device Enrollment Service allows you to obtain certificates for routers or other network devices"
        + " using the Simple Certificate Enrollment Protocol (SCEP). </P>" + body + "</Body></HTML>");
}
