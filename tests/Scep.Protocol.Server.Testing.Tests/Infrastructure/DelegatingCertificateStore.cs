using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

/// <summary>The in-memory certificate store, for a broken store to change one behaviour of.</summary>
public class DelegatingCertificateStore : ICertificateStore
{
    protected InMemoryCertificateStore Inner { get; } = new();

    public virtual ValueTask<bool> TryAddAsync(IssuedCertificateRecord certificate, CancellationToken cancellationToken) => Inner.TryAddAsync(certificate, cancellationToken);

    public virtual ValueTask<IssuedCertificateRecord?> FindAsync(string serialNumber, CancellationToken cancellationToken) => Inner.FindAsync(serialNumber, cancellationToken);

    public virtual ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken) =>
        Inner.FindByTransactionAsync(alias, transactionId, cancellationToken);

    public virtual ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken) =>
        Inner.FindLatestForUserAsync(username, since, cancellationToken);

    public virtual ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken) => Inner.ListAsync(query, cancellationToken);

    public virtual ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        Inner.RevokeAsync(serialNumber, reason, at, cancellationToken);

    public virtual ValueTask<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuerId, CancellationToken cancellationToken) => Inner.ListRevokedAsync(issuerId, cancellationToken);

    public virtual ValueTask<long> GetRevisionAsync(string issuerId, CancellationToken cancellationToken) => Inner.GetRevisionAsync(issuerId, cancellationToken);

    public virtual ValueTask<(long Number, long Revision)> NextCrlNumberAsync(string issuerId, CancellationToken cancellationToken) => Inner.NextCrlNumberAsync(issuerId, cancellationToken);

    public virtual ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken) => Inner.GetCrlAsync(issuerId, cancellationToken);

    public virtual ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken) => Inner.StoreCrlAsync(crl, cancellationToken);

    public virtual ValueTask AddPendingAsync(PendingApproval pending, CancellationToken cancellationToken) => Inner.AddPendingAsync(pending, cancellationToken);

    public virtual ValueTask<PendingApproval?> FindPendingAsync(string id, CancellationToken cancellationToken) => Inner.FindPendingAsync(id, cancellationToken);

    public virtual ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken) => Inner.ListPendingAsync(cancellationToken);

    public virtual ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken) =>
        Inner.TryApproveAsync(id, certificate, at, cancellationToken);

    public virtual ValueTask<bool> TryRejectAsync(string id, string reason, DateTimeOffset at, CancellationToken cancellationToken) => Inner.TryRejectAsync(id, reason, at, cancellationToken);
}
