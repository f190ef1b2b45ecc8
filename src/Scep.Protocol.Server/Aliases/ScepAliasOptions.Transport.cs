using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>The alias's transport: HTTP methods, message size, and which CA names a client may ask for.</summary>
public sealed partial class ScepAliasOptions
{
    /// <summary>Accept PKIOperation over HTTP POST (advertised as POSTPKIOperation, RFC 8894 §4.1). Default: true.</summary>
    public bool AllowPost { get; set; } = true;

    /// <summary>Accept PKIOperation over HTTP GET. Default: true (Cisco, certmonger and many devices use GET).</summary>
    public bool AllowGet { get; set; } = true;

    /// <summary>The largest pkiMessage accepted, in bytes (POST body, or the decoded GET message). Default: 128 KiB.</summary>
    public int MaxMessageSize { get; set; } = 128 * 1024;

    /// <summary>Answer GetCert (21) and GetCRL (22). Default: true.</summary>
    public bool AllowGetCertAndGetCrl { get; set; } = true;

    /// <summary>
    /// Names a client may send as the GetCACert/GetCACaps <c>message</c> for this alias's CA (for example
    /// <c>MobileIronSCEP</c>, which MobileIron always sends). Compared case-insensitively; the CA's own name,
    /// <c>CAIdentifier</c> and an empty value always match. Default: none.
    /// </summary>
    public IList<string> CaIdentifiers { get; } = new List<string>();

    /// <summary>When true, a GetCACert/GetCACaps/GetNextCACert <c>message</c> that names no known CA gets HTTP 404 instead of this alias's CA. Default: false.</summary>
    public bool StrictCaIdentifier { get; set; }
}
