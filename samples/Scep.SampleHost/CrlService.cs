using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.SampleHost.Storage;

namespace Scep.SampleHost;

/// <summary>
/// CRLs: built with <see cref="System.Security.Cryptography.X509Certificates.CertificateRevocationListBuilder"/>, numbered
/// from a per-CA counter in the database, and kept there, so every instance serves the same CRL until a
/// revocation, <c>issue-crl</c> or half of its validity passes.
/// </summary>
public sealed class CrlService
{
    private readonly CertificateRepository _repository;
    private readonly SampleHostOptions _options;
    private readonly TimeProvider _time;

    public CrlService(CertificateRepository repository, IOptions<SampleHostOptions> options, TimeProvider time)
    {
        _repository = repository;
        _options = options.Value;
        _time = time;
    }

    /// <summary>The CA's current CRL: the stored one while it covers every revocation and is less than half way to its nextUpdate; otherwise a new one.</summary>
    public async ValueTask<byte[]> GetCurrentAsync(CaKey ca, CancellationToken cancellationToken)
    {
        var stored = await _repository.GetCrlAsync(ca.Id, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            var revision = await _repository.GetRevisionAsync(ca.Id, cancellationToken).ConfigureAwait(false);
            var refreshAt = stored.ThisUpdate + ((stored.NextUpdate - stored.ThisUpdate) / 2);
            if (stored.Revision == revision && _time.GetUtcNow() < refreshAt)
            {
                return stored.Der;
            }
        }

        return (await IssueAsync(ca, cancellationToken).ConfigureAwait(false)).Der;
    }

    /// <summary>Builds and stores a new CRL with the next number.</summary>
    public async ValueTask<StoredCrl> IssueAsync(CaKey ca, CancellationToken cancellationToken)
    {
        // The number is taken first: a revocation committed after this point raises the revision above the
        // one recorded here, so the next request rebuilds the CRL.
        var (number, revision) = await _repository.NextCrlNumberAsync(ca.Id, cancellationToken).ConfigureAwait(false);
        var revoked = await _repository.ListRevokedAsync(ca.Id, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var nextUpdate = now.AddHours(_options.CrlValidityHours);
        var crl = new StoredCrl(ca.Id, number, revision, now, nextUpdate, CertificateFactory.BuildCrl(ca, revoked, number, now, nextUpdate));
        await _repository.StoreCrlAsync(crl, cancellationToken).ConfigureAwait(false);
        return crl;
    }
}
