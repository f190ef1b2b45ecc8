using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Where <see cref="IssuingAuthority"/> keeps what it issues: certificates (recorded before the reply leaves, so a crash
/// never hides one: <see cref="IEnrollmentAuthority.FindIssuedAsync"/>), revocations and each CA's CRL numbers and
/// current CRL, and requests held for approval. Serial numbers are upper-case hex. Shipped: in memory
/// (<c>InMemory.InMemoryCertificateStore</c>), SQLite and PostgreSQL (package <c>Scep.Protocol.Server.Storage</c>);
/// <c>Scep.Protocol.Server.Testing</c> checks an implementation against this contract.
/// </summary>
public interface ICertificateStore
{
    /// <summary>Records an issued certificate.</summary>
    /// <param name="certificate">The record (not revoked).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when its serial number is taken (nothing is changed then).</returns>
    ValueTask<bool> TryAddAsync(IssuedCertificateRecord certificate, CancellationToken cancellationToken);

    /// <summary>The certificate with this serial number.</summary>
    /// <param name="serialNumber">Upper-case hex.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<IssuedCertificateRecord?> FindAsync(string serialNumber, CancellationToken cancellationToken);

    /// <summary>The latest certificate recorded for a transaction of an alias (the alias case-insensitive).</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="transactionId">The transactionID (exact).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken);

    /// <summary>The latest certificate recorded for an end entity at or after <paramref name="since"/>.</summary>
    /// <param name="username">The end entity (exact).</param>
    /// <param name="since">The earliest recording time that counts.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The record, or null.</returns>
    ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Certificates by recording time, oldest first.</summary>
    /// <param name="query">What to list.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken);

    /// <summary>Revokes a certificate and raises its CA's revocation revision, atomically; a second revocation changes nothing.</summary>
    /// <param name="serialNumber">Upper-case hex.</param>
    /// <param name="reason">The reason, or null.</param>
    /// <param name="at">The revocation date.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What happened, and the record as it is now (null when not found).</returns>
    ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The revoked certificates of a CA, for its CRL.</summary>
    /// <param name="issuerId">The CA.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuerId, CancellationToken cancellationToken);

    /// <summary>The CA's revocation revision: it grows with every revocation (0 before the first).</summary>
    /// <param name="issuerId">The CA.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The revision.</returns>
    ValueTask<long> GetRevisionAsync(string issuerId, CancellationToken cancellationToken);

    /// <summary>Takes the CA's next CRL number (monotonic, never reused, shared by every instance) with the revision it covers.</summary>
    /// <param name="issuerId">The CA.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number and the revision.</returns>
    ValueTask<(long Number, long Revision)> NextCrlNumberAsync(string issuerId, CancellationToken cancellationToken);

    /// <summary>The CA's current CRL, or null.</summary>
    /// <param name="issuerId">The CA.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The CRL, or null.</returns>
    ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken);

    /// <summary>Keeps a CRL as the CA's current one, unless one with a higher number is stored.</summary>
    /// <param name="crl">The CRL.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken);

    /// <summary>Holds a request for approval.</summary>
    /// <param name="pending">The request, <see cref="ApprovalState.Pending"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    ValueTask AddPendingAsync(PendingApproval pending, CancellationToken cancellationToken);

    /// <summary>A request held for approval, whatever its state.</summary>
    /// <param name="id">Its reference.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The request, or null.</returns>
    ValueTask<PendingApproval?> FindPendingAsync(string id, CancellationToken cancellationToken);

    /// <summary>The requests still waiting, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken);

    /// <summary>Records the certificate an approval issued and marks the request approved, atomically: of concurrent decisions one wins.</summary>
    /// <param name="id">The request.</param>
    /// <param name="certificate">The certificate issued for it.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the request was not pending any more (nothing is recorded then).</returns>
    ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks a pending request rejected.</summary>
    /// <param name="id">The request.</param>
    /// <param name="reason">The reason the client gets.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the request was not pending any more.</returns>
    ValueTask<bool> TryRejectAsync(string id, string reason, DateTimeOffset at, CancellationToken cancellationToken);
}
