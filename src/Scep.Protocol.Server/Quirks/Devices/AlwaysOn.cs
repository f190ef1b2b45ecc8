namespace Scep.Protocol.Server;

public static partial class DeviceQuirks
{
    /// <summary>macOS and iOS leave '+' unescaped in a GET <c>message</c>, so it arrives as a space. Source: smallstep/certificates#1570, jscep's ScepServlet.fixBrokenBase64.</summary>
    public static DeviceQuirk AppleUnescapedPlus { get; } = new(
        nameof(AppleUnescapedPlus), "Apple macOS and iOS", "smallstep/certificates#1570; jscep ScepServlet.fixBrokenBase64",
        "A space in a GET message is read as '+', and the message is read from the raw query.", "ScepBase64.DecodeQueryValue; QueryParameters");

    /// <summary>Old Cisco IOS wraps the GET <c>message</c> every 64 characters with %0A. Source: smallstep/certificates#2100.</summary>
    public static DeviceQuirk CiscoWrappedBase64 { get; } = new(
        nameof(CiscoWrappedBase64), "Cisco IOS (older releases)", "smallstep/certificates#2100",
        "Line breaks inside a GET message are ignored.", "ScepBase64.DecodeQueryValue");

    /// <summary>Some clients send URL-safe base64 and drop the padding. Source: micromdm/scep#249.</summary>
    public static DeviceQuirk UrlSafeBase64 { get; } = new(
        nameof(UrlSafeBase64), "Clients with URL-safe base64", "micromdm/scep#249",
        "'-' and '_' are read as '+' and '/', and missing padding is accepted.", "ScepBase64.DecodeQueryValue");

    /// <summary>jscep (BouncyCastle) writes BER with indefinite lengths. Source: micromdm/scep#20 and #79.</summary>
    public static DeviceQuirk JscepIndefiniteLength { get; } = new(
        nameof(JscepIndefiniteLength), "jscep and other BouncyCastle clients", "micromdm/scep#20, micromdm/scep#79",
        "pkiMessages in BER with indefinite lengths are read.", "PkiMessage.Decode");

    /// <summary>.NET Framework and old clients encapsulate content in the PKCS#7 form. Source: Keyfactor/ejbca-ce#779, dotnet/corefx#30405.</summary>
    public static DeviceQuirk Pkcs7ContentForm { get; } = new(
        nameof(Pkcs7ContentForm), ".NET Framework and older PKCS#7 writers", "Keyfactor/ejbca-ce#779; dotnet/corefx#30405",
        "Encapsulated content is read in both the PKCS#7 and the CMS form.", "PkiMessage.Decode (SignedData reader)");

    /// <summary>cryptlib adds a randomNonce signed attribute, NDES an HRESULT. Source: jscep#96, certnanny/sscep#59.</summary>
    public static DeviceQuirk VendorAttributes { get; } = new(
        nameof(VendorAttributes), "cryptlib, NDES", "seize-the-dave/jscep#96; certnanny/sscep#59",
        "Signed attributes that are neither SCEP's nor CMS's are ignored.", "PkiMessage.Decode");

    /// <summary>sscep sends <c>message=CAIdentifier</c>, others an empty or a made-up name. Source: Keyfactor/ejbca-ce#503, certnanny/sscep#160.</summary>
    public static DeviceQuirk SscepCaIdentifier { get; } = new(
        nameof(SscepCaIdentifier), "sscep, cryptlib, Apple profiles", "Keyfactor/ejbca-ce#503; certnanny/sscep#160",
        "An empty, literal 'CAIdentifier' or unknown GetCACert message gets the alias's CA (unless StrictCaIdentifier).", "GetCaCertOperation (CA identifier resolution)");

    /// <summary>Windows encrypts the request's key with RSAES-OAEP. Source: NeySlim/ultimate-ca-manager#228, bc-java#953.</summary>
    public static DeviceQuirk WindowsOaep { get; } = new(
        nameof(WindowsOaep), "Windows (MDM and Intune clients)", "NeySlim/ultimate-ca-manager#228; bcgit/bc-java#953",
        "Envelopes with RSAES-OAEP key transport are opened.", "PkiEnvelope (Decrypt)");

    /// <summary>Cisco routers and macOS renew with a PKCSReq signed by the current certificate. Source: dogtagpki/pki#3413.</summary>
    public static DeviceQuirk CiscoRenewalByPkcsReq { get; } = new(
        nameof(CiscoRenewalByPkcsReq), "Cisco IOS, macOS", "dogtagpki/pki#3413",
        "A PKCSReq signed by a certificate this CA issued is a renewal.", "RenewalDetection.Classify");
}
