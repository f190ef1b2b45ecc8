using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.InMemory;

/// <summary>
/// A small certificate authority in memory, for tests, samples and harnesses (not for production): issues with
/// the CA keys given to <see cref="AddIssuer"/>, can hold requests for manual approval, revokes, and serves its
/// CRL as an <see cref="ICrlSource"/>.
/// </summary>
public sealed class InMemoryEnrollmentAuthority : IEnrollmentAuthority, ICrlSource
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<(X509Certificate2 Certificate, AsymmetricAlgorithm Key)> _issuers = [];
    private readonly List<IssuedCertificate> _issued = [];
    private readonly Dictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    private long _crlNumber;

    /// <summary>Creates an authority that reads time from <paramref name="time"/>.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public InMemoryEnrollmentAuthority(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Hold every request for <see cref="Approve"/> or <see cref="Reject"/> instead of issuing at once.</summary>
    public bool RequireApproval { get; set; }

    /// <summary>How long issued certificates are valid. Default: 365 days.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Refuse every request with this reason (to test FAILURE paths); null issues normally.</summary>
    public string? RejectAllWithReason { get; set; }

    /// <summary>The certificates issued so far.</summary>
    public IReadOnlyList<X509Certificate2> IssuedCertificates
    {
        get
        {
            lock (_lock)
            {
                return _issued.Select(i => i.Certificate).ToList();
            }
        }
    }

    /// <summary>References of requests awaiting approval.</summary>
    public IReadOnlyList<string> PendingReferences
    {
        get
        {
            lock (_lock)
            {
                return _pending.Where(p => p.Value.Decision is null).Select(p => p.Key).ToList();
            }
        }
    }

    /// <summary>Adds a CA certificate and its signing key (add the next CA too, for rollover).</summary>
    /// <param name="caCertificate">The CA certificate.</param>
    /// <param name="caKey">Its private key (RSA or ECDsa).</param>
    public void AddIssuer(X509Certificate2 caCertificate, AsymmetricAlgorithm caKey)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        lock (_lock)
        {
            _issuers.Add((caCertificate, caKey));
        }
    }

    /// <inheritdoc />
    public ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RejectAllWithReason is { } reason)
        {
            return ValueTask.FromResult(EnrollmentDecision.Rejected(FailInfo.BadRequest, reason));
        }

        if (RequireApproval)
        {
            var reference = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
            lock (_lock)
            {
                _pending[reference] = new PendingRequest(context);
            }

            return ValueTask.FromResult(EnrollmentDecision.Pending(reference));
        }

        return ValueTask.FromResult(EnrollmentDecision.Issued(Issue(context).Der));
    }

    /// <inheritdoc />
    public ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        lock (_lock)
        {
            return ValueTask.FromResult(_pending.TryGetValue(pending.Reference, out var request)
                ? request.Decision ?? EnrollmentDecision.Pending(pending.Reference)
                : EnrollmentDecision.Rejected(FailInfo.BadRequest, "The pending request is not known."));
        }
    }

    /// <summary>Approves a pending request: the certificate is issued now and delivered at the next poll.</summary>
    /// <param name="reference">The pending reference.</param>
    /// <returns>The issued certificate.</returns>
    public X509Certificate2 Approve(string reference)
    {
        PendingRequest request;
        lock (_lock)
        {
            request = _pending[reference];
        }

        var issued = Issue(request.Context);
        lock (_lock)
        {
            request.Decision = EnrollmentDecision.Issued(issued.Der);
        }

        return issued.Certificate;
    }

    /// <summary>Rejects a pending request.</summary>
    /// <param name="reference">The pending reference.</param>
    /// <param name="reason">The reason sent to the client.</param>
    public void Reject(string reference, string reason)
    {
        lock (_lock)
        {
            _pending[reference].Decision = EnrollmentDecision.Rejected(FailInfo.BadRequest, reason);
        }
    }

    /// <summary>Revokes an issued certificate; it appears on the next CRL.</summary>
    /// <param name="certificate">The certificate.</param>
    public void Revoke(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            var index = _issued.FindIndex(i => i.Der.Span.SequenceEqual(certificate.RawDataMemory.Span));
            if (index >= 0)
            {
                _issued[index] = _issued[index] with { RevokedAt = _time.GetUtcNow() };
            }
        }
    }

    /// <summary>Records a certificate issued elsewhere as issued here (to set up renewals in tests).</summary>
    /// <param name="certificate">The certificate.</param>
    public void Record(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            _issued.Add(new IssuedCertificate(certificate.RawData, null));
        }
    }

    /// <inheritdoc />
    public ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            return ValueTask.FromResult(_issued.Select(i => i.Certificate).FirstOrDefault(certificate.Matches));
        }
    }

    /// <inheritdoc />
    public ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            var record = _issued.FirstOrDefault(i => i.Der.Span.SequenceEqual(certificate.RawDataMemory.Span));
            return ValueTask.FromResult(record is null ? CertificateStatus.Unknown : record.RevokedAt is null ? CertificateStatus.Good : CertificateStatus.Revoked);
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        (X509Certificate2 Certificate, AsymmetricAlgorithm Key) ca;
        List<IssuedCertificate> revoked;
        long number;
        lock (_lock)
        {
            ca = _issuers.FirstOrDefault(i => i.Certificate.RawDataMemory.Span.SequenceEqual(issuer.RawDataMemory.Span));
            revoked = _issued.Where(i => i.RevokedAt is not null && i.Certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)).ToList();
            number = ++_crlNumber;
        }

        if (ca.Certificate is null)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            builder.AddEntry(entry.Certificate.SerialNumberBytes.Span, entry.RevokedAt!.Value);
        }

        var now = _time.GetUtcNow();
        var crl = builder.Build(
            ca.Certificate.SubjectName,
            SignatureGenerator(ca.Key),
            new BigInteger(number),
            now.AddDays(7),
            SignatureHash(ca.Key),
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            now);
        return ValueTask.FromResult<byte[]?>(crl);
    }

    private IssuedCertificate Issue(EnrollmentContext context)
    {
        (X509Certificate2 Certificate, AsymmetricAlgorithm Key) ca;
        lock (_lock)
        {
            ca = _issuers.FirstOrDefault(i => i.Certificate.RawDataMemory.Span.SequenceEqual(context.IssuingCaCertificate.RawDataMemory.Span));
        }

        if (ca.Certificate is null)
        {
            throw new InvalidOperationException($"No issuing key was added for CA '{context.IssuingCaCertificate.Subject}'.");
        }

        var csr = context.CertificationRequest;
        // The entity's DN is a string; when it is the request's own (RA mode stores it so), issue the request's
        // encoded name: parsing the string back would change string types (UTF8String to PrintableString, ...).
        var subject = context.EndEntity?.SubjectDn is { } dn && !string.Equals(dn, csr.Subject.Name, StringComparison.Ordinal)
            ? new X500DistinguishedName(dn)
            : csr.Subject;
        var request = new CertificateRequest(subject, csr.PublicKey, SignatureHash(ca.Key));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(csr.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        foreach (var requested in csr.RequestedExtensions.Where(e => e.Oid?.Value == "2.5.29.17"))
        {
            request.CertificateExtensions.Add(requested);
        }

        var now = _time.GetUtcNow();
        var notAfter = now + Validity < ca.Certificate.NotAfter ? now + Validity : new DateTimeOffset(ca.Certificate.NotAfter);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var issued = new IssuedCertificate(request.CreateEncoded(ca.Certificate.SubjectName, SignatureGenerator(ca.Key), now.AddMinutes(-5), notAfter, serial), null)
        {
            Alias = context.Alias,
            TransactionId = context.Request.TransactionId,
            Username = context.EndEntity?.Username,
            IssuedAt = now,
        };
        lock (_lock)
        {
            _issued.Add(issued);
        }

        return issued;
    }

    /// <summary>SHA-256; for a P-384 or P-521 CA key SHA-384 or SHA-512, the hash of the curve's strength (RFC 5480 §4).</summary>
    private static HashAlgorithmName SignatureHash(AsymmetricAlgorithm key) => key switch
    {
        ECDsa { KeySize: > 384 } => HashAlgorithmName.SHA512,
        ECDsa { KeySize: > 256 } => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA256,
    };

    private static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new InvalidOperationException("CA keys must be RSA or ECDsa."),
    };

    /// <inheritdoc />
    public ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var found = query.TransactionId is { } transactionId
                ? _issued.LastOrDefault(i => i.TransactionId == transactionId && string.Equals(i.Alias, query.Alias, StringComparison.OrdinalIgnoreCase))
                : _issued.LastOrDefault(i => query.Username is not null && i.Username == query.Username && i.IssuedAt >= query.Since);
            return ValueTask.FromResult(found?.Certificate);
        }
    }

    /// <summary>An issued certificate, kept as DER and loaded only when a lookup needs it.</summary>
    private sealed record IssuedCertificate(ReadOnlyMemory<byte> Der, DateTimeOffset? RevokedAt)
    {
        private readonly Lazy<X509Certificate2> _certificate = new(() => X509CertificateLoader.LoadCertificate(Der.Span));

        public X509Certificate2 Certificate => _certificate.Value;

        public string? Alias { get; init; }

        public string? TransactionId { get; init; }

        public string? Username { get; init; }

        public DateTimeOffset IssuedAt { get; init; }
    }

    private sealed class PendingRequest(EnrollmentContext context)
    {
        public EnrollmentContext Context { get; } = context;

        public EnrollmentDecision? Decision { get; set; }
    }
}
