using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>
/// A PKCSReq, RenewalReq or UpdateReq that passed the stateless checks, as the enrollment rules need it: the message as
/// the client sent it, the CSR, initial or renewal, who asks (the signer's key) and for whom, and which CA issues.
/// </summary>
/// <param name="Message">The request message (for a CertPoll that validates a pending request again: the stored one).</param>
/// <param name="Csr">The PKCS#10 request, proof of possession verified.</param>
/// <param name="Kind">Initial enrollment or renewal (RFC 8894 §3.3.1).</param>
/// <param name="RenewedCertificate">For a renewal, the signer certificate being renewed.</param>
/// <param name="RequesterKeyId">SHA-256 of the signer's key: only the same key may poll or re-send (§3.3.3).</param>
/// <param name="Username">The end entity's username: the renewed certificate's CN, or the CSR's.</param>
/// <param name="Issuer">The CA the request was enveloped to, which issues (§4.7 rollover).</param>
/// <param name="AuthorizedByRa">Signed by one of the alias's <see cref="ScepAliasOptions.TrustedRaSigners"/>: the RA has authorized it, no challenge is asked for.</param>
internal sealed record EnrollmentRequest(
    PkiMessage Message,
    Pkcs10Request Csr,
    EnrollmentKind Kind,
    X509Certificate2? RenewedCertificate,
    string RequesterKeyId,
    string? Username,
    ScepCaCredentials Issuer,
    bool AuthorizedByRa = false)
{
    public bool IsRenewal => Kind == EnrollmentKind.Renewal;
}
