using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.InMemory;

/// <summary>An <see cref="ICertificateStore"/> in memory, for tests, samples and harnesses; not for production (nothing survives a restart).</summary>
public sealed class InMemoryCertificateStore : ICertificateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IssuedCertificateRecord> _certificates = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (long Number, long Revision)> _crlState = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredCrl> _crls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingApproval> _pending = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<bool> TryAddAsync(IssuedCertificateRecord certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            return ValueTask.FromResult(Add(certificate));
        }
    }

    /// <inheritdoc />
    public ValueTask<IssuedCertificateRecord?> FindAsync(string serialNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        lock (_lock)
        {
            return ValueTask.FromResult(_certificates.GetValueOrDefault(serialNumber));
        }
    }

    /// <inheritdoc />
    public ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken) =>
        Latest(c => c.TransactionId == transactionId && string.Equals(c.Alias, alias, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken) =>
        Latest(c => c.Username == username && c.IssuedAt >= since);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<IssuedCertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<IssuedCertificateRecord> list = _order.Select(s => _certificates[s])
                .Where(c => query.Search is not { Length: > 0 } search
                    || c.Subject.Contains(search, StringComparison.OrdinalIgnoreCase)
                    || c.SerialNumber.StartsWith(search, StringComparison.OrdinalIgnoreCase))
                .Skip(query.Skip).Take(query.Take).ToList();
            return ValueTask.FromResult(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        lock (_lock)
        {
            if (!_certificates.TryGetValue(serialNumber, out var found))
            {
                return ValueTask.FromResult<(RevocationResult, IssuedCertificateRecord?)>((RevocationResult.NotFound, null));
            }

            if (found.RevokedAt is not null)
            {
                return ValueTask.FromResult<(RevocationResult, IssuedCertificateRecord?)>((RevocationResult.AlreadyRevoked, found));
            }

            var revoked = found with { RevokedAt = at, RevocationReason = reason };
            _certificates[serialNumber] = revoked;
            var state = _crlState.GetValueOrDefault(found.IssuerId);
            _crlState[found.IssuerId] = (state.Number, state.Revision + 1);
            return ValueTask.FromResult<(RevocationResult, IssuedCertificateRecord?)>((RevocationResult.Revoked, revoked));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<RevokedCertificate> list = _certificates.Values
                .Where(c => c.IssuerId == issuerId && c.RevokedAt is not null)
                .OrderBy(c => c.RevokedAt)
                .Select(c => new RevokedCertificate(c.SerialNumber, c.RevokedAt!.Value, c.RevocationReason))
                .ToList();
            return ValueTask.FromResult(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetRevisionAsync(string issuerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_crlState.GetValueOrDefault(issuerId).Revision);
        }
    }

    /// <inheritdoc />
    public ValueTask<(long Number, long Revision)> NextCrlNumberAsync(string issuerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var state = _crlState.GetValueOrDefault(issuerId);
            var next = (state.Number + 1, state.Revision);
            _crlState[issuerId] = next;
            return ValueTask.FromResult(next);
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_crls.GetValueOrDefault(issuerId));
        }
    }

    /// <inheritdoc />
    public ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(crl);
        lock (_lock)
        {
            if (!_crls.TryGetValue(crl.IssuerId, out var stored) || stored.Number < crl.Number)
            {
                _crls[crl.IssuerId] = crl;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AddPendingAsync(PendingApproval pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        lock (_lock)
        {
            if (!_pending.TryAdd(pending.Id, pending))
            {
                throw new InvalidOperationException($"A pending request '{pending.Id}' exists.");
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<PendingApproval?> FindPendingAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_pending.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<PendingApproval> list = _pending.Values.Where(p => p.State == ApprovalState.Pending).OrderBy(p => p.RequestedAt).ToList();
            return ValueTask.FromResult(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            if (!_pending.TryGetValue(id, out var pending) || pending.State != ApprovalState.Pending || _certificates.ContainsKey(certificate.SerialNumber))
            {
                return ValueTask.FromResult(false);
            }

            Add(certificate);
            _pending[id] = pending with { State = ApprovalState.Approved, CertificateSerial = certificate.SerialNumber, DecidedAt = at };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRejectAsync(string id, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(id, out var pending) || pending.State != ApprovalState.Pending)
            {
                return ValueTask.FromResult(false);
            }

            _pending[id] = pending with { State = ApprovalState.Rejected, Reason = reason, DecidedAt = at };
            return ValueTask.FromResult(true);
        }
    }

    private bool Add(IssuedCertificateRecord certificate)
    {
        if (!_certificates.TryAdd(certificate.SerialNumber, certificate))
        {
            return false;
        }

        _order.Add(certificate.SerialNumber);
        return true;
    }

    private ValueTask<IssuedCertificateRecord?> Latest(Func<IssuedCertificateRecord, bool> match)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_order.Select(s => _certificates[s]).Where(match).OrderByDescending(c => c.IssuedAt).FirstOrDefault());
        }
    }
}
