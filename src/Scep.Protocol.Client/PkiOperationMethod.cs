namespace Scep.Protocol.Client;

/// <summary>How a PKIOperation travels over HTTP (RFC 8894 §4.1).</summary>
public enum PkiOperationMethod
{
    /// <summary>POST when the server advertises <c>POSTPKIOperation</c> or <c>SCEPStandard</c> (then it MUST be POST), else GET.</summary>
    Auto = 0,

    /// <summary>Always GET, the pkiMessage as base64 in the <c>message</c> parameter (legacy servers; URLs can grow past proxy limits).</summary>
    Get,

    /// <summary>Always POST, the DER pkiMessage as the body with a Content-Length (never chunked: NDES refuses chunked bodies).</summary>
    Post,
}
