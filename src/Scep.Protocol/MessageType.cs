namespace Scep.Protocol;

/// <summary>The SCEP messageType attribute (RFC 8894 §3.2.1.2), with its wire value.</summary>
/// <remarks>
/// A value received from the network that is not one of these names stays in the enum as a number
/// (its <see cref="object.ToString"/> then prints the number); servers answer it with
/// <see cref="FailInfo.BadRequest"/>.
/// </remarks>
public enum MessageType
{
    /// <summary>Response to any request (3).</summary>
    CertRep = 3,

    /// <summary>Renewal of an existing certificate, signed with it (17, RFC 8894).</summary>
    RenewalReq = 17,

    /// <summary>Legacy update request from early drafts (18); not registered by IANA. Handled like a renewal.</summary>
    UpdateReq = 18,

    /// <summary>Initial enrollment with a PKCS#10 request (19).</summary>
    PKCSReq = 19,

    /// <summary>Poll for a pending request (20); called GetCertInitial in draft-nourse-scep.</summary>
    CertPoll = 20,

    /// <summary>Fetch a certificate by issuer and serial number (21).</summary>
    GetCert = 21,

    /// <summary>Fetch the CRL for an issuer and serial number (22).</summary>
    GetCRL = 22,
}
