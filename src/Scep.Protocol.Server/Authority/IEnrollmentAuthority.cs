using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// The host's certificate authority: decides on enrollment requests that the pipeline has authenticated, and
/// answers the questions GetCert, polling and renewal ask. It is called after the signature, the envelope, the
/// proof of possession and the enrollment code or challenge have been checked.
/// </summary>
public interface IEnrollmentAuthority
{
    /// <summary>Decides on a PKCSReq, RenewalReq or UpdateReq: issue, leave pending, or reject.</summary>
    /// <param name="context">The authenticated request.</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns>The decision.</returns>
    ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken);

    /// <summary>The current decision on a request this authority answered with <see cref="EnrollmentDecision.Pending"/>.</summary>
    /// <param name="pending">Which request.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>Issued, still pending, or rejected.</returns>
    ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken);

    /// <summary>Finds a certificate this CA issued (GetCert).</summary>
    /// <param name="caName">The alias's CA.</param>
    /// <param name="certificate">The issuer and serial number asked for.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The certificate, or null.</returns>
    ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken);

    /// <summary>Whether a certificate this CA issued is on record and not revoked (used to accept renewals).</summary>
    /// <param name="caName">The alias's CA.</param>
    /// <param name="certificate">The certificate.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The status.</returns>
    ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken);

    /// <summary>
    /// The certificate this authority issued for an enrollment whose transaction never recorded it: the server
    /// stopped (a crash, a kill) after <see cref="EnrollAsync"/> had issued and recorded a certificate and before the
    /// transaction was updated. The server asks before it takes over a reservation that went stale
    /// (<see cref="ScepServerOptions.StaleReservationTimeout"/>), so that a crash never lets one request or one
    /// one-time code yield a second certificate. The default implementation knows of none, and a stale reservation
    /// is then taken over as before.
    /// </summary>
    /// <param name="query">The transaction, or the end entity and since when it was reserved.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The certificate, or null.</returns>
    ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<X509Certificate2?>(null);
}

/// <summary>What an <see cref="IEnrollmentAuthority"/> knows of a certificate.</summary>
public enum CertificateStatus
{
    /// <summary>Not issued by this CA, or not on record.</summary>
    Unknown = 0,

    /// <summary>On record and not revoked.</summary>
    Good,

    /// <summary>Revoked.</summary>
    Revoked,
}
