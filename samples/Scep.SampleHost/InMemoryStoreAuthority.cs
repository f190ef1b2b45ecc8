using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Scep.Protocol;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;

namespace Scep.SampleHost;

/// <summary>
/// The authority of <c>SampleHost:Store=InMemory</c>: the pipeline's <see cref="InMemoryEnrollmentAuthority"/>, issuing
/// with the data folder's CA keys (the current CA and, after <c>rollover-ca</c>, the next one) and keeping what it
/// issued in memory only.
/// </summary>
public sealed class InMemoryStoreAuthority : IEnrollmentAuthority, ICrlSource
{
    private readonly CaKeyRing _cas;
    private readonly InMemoryEnrollmentAuthority _inner;
    private readonly HashSet<string> _issuers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    public InMemoryStoreAuthority(CaKeyRing cas, IOptions<SampleHostOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cas = cas;
        _inner = new InMemoryEnrollmentAuthority(time) { Validity = TimeSpan.FromDays(options.Value.CertificateValidityDays) };
    }

    public ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken) =>
        Ready().EnrollAsync(context, cancellationToken);

    public ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken) =>
        Ready().GetPendingDecisionAsync(pending, cancellationToken);

    public ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken) =>
        Ready().FindCertificateAsync(caName, certificate, cancellationToken);

    public ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken) =>
        Ready().GetCertificateStatusAsync(caName, certificate, cancellationToken);

    public ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken) =>
        Ready().GetCrlAsync(caName, issuer, cancellationToken);

    /// <summary>The inner authority, with every CA key of the data folder added as an issuer.</summary>
    private InMemoryEnrollmentAuthority Ready()
    {
        var (current, next) = _cas.CurrentAndNext();
        Add(current);
        if (next is not null)
        {
            Add(next);
        }

        return _inner;
    }

    private void Add(CaKey ca)
    {
        lock (_lock)
        {
            if (_issuers.Add(ca.Id))
            {
                _inner.AddIssuer(ca.Certificate, ca.Key);
            }
        }
    }
}
