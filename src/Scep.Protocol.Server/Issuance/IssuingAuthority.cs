using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>
/// A certificate authority in this process: issues with the key of the CA certificate the request was enveloped to
/// (<see cref="ScepCaCredentials.CaKey"/> of the current or, during a rollover, the next CA) by the alias's
/// <see cref="CertificateProfile"/>, records every certificate in an <see cref="ICertificateStore"/> before it is
/// returned, holds requests of approval aliases for an operator, answers GetCert, renewal checks and crash settlement
/// from the store, and serves numbered CRLs (<see cref="ICrlSource"/>). Register with <c>AddIssuingAuthority</c>.
/// </summary>
public sealed class IssuingAuthority : IEnrollmentAuthority, ICrlSource
{
    private readonly IScepCredentialProvider _credentials;
    private readonly ICertificateStore _store;
    private readonly IssuingAuthorityOptions _options;
    private readonly IOptions<ScepServerOptions> _server;
    private readonly TimeProvider _time;
    private readonly EnrollmentObservers? _observers;
    private readonly ConcurrentDictionary<(string IssuerId, CertificateProfile Profile), CertificateIssuer> _issuers = new();

    /// <summary>Creates the authority.</summary>
    /// <param name="credentials">The CA certificates and keys.</param>
    /// <param name="store">Where certificates, revocations, CRLs and approvals are kept.</param>
    /// <param name="options">Profiles, approval aliases, CRL validity.</param>
    /// <param name="server">The aliases (an approval is issued by the CA of the alias it came through).</param>
    /// <param name="time">The clock.</param>
    /// <param name="observers">Told of revocations (<see cref="RevokeAsync"/>); null for none.</param>
    public IssuingAuthority(
        IScepCredentialProvider credentials, ICertificateStore store, IOptions<IssuingAuthorityOptions> options, IOptions<ScepServerOptions> server, TimeProvider time, EnrollmentObservers? observers = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(time);
        _credentials = credentials;
        _store = store;
        _options = options.Value;
        _server = server; // read only to map an alias to its CA, so an admin tool without aliases can use the authority
        _time = time;
        _observers = observers;
    }

    /// <inheritdoc />
    public async ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ca = await IssuingCaAsync(context.CaName, context.IssuingCaCertificate, cancellationToken).ConfigureAwait(false);
        var issuer = Issuer(ca, context.Alias);
        var csr = context.CertificationRequest;
        var subject = issuer.SubjectFor(csr, context.Mode == ScepOperationMode.Ca ? context.EndEntity?.SubjectDn : null);
        var username = context.EndEntity?.Username ?? csr.CommonName;
        if (_options.RequiresApproval(context.Alias))
        {
            var pending = new PendingApproval(
                Convert.ToHexString(RandomNumberGenerator.GetBytes(6)),
                context.Alias,
                ScepCaCredentials.IdOf(ca.CaCertificate),
                context.TransactionId,
                username,
                subject.Name,
                subject.RawData,
                csr.Encode(),
                _time.GetUtcNow(),
                ApprovalState.Pending,
                CaName: context.CaName);
            await _store.AddPendingAsync(pending, cancellationToken).ConfigureAwait(false);
            return EnrollmentDecision.Pending(pending.Id);
        }

        var record = await IssueAndRecordAsync(issuer, csr, subject, username, context.Alias, context.TransactionId, cancellationToken).ConfigureAwait(false);
        return EnrollmentDecision.Issued(record.RawData);
    }

    /// <inheritdoc />
    public async ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var record = await _store.FindPendingAsync(pending.Reference, cancellationToken).ConfigureAwait(false);
        switch (record?.State)
        {
            case ApprovalState.Pending:
                return EnrollmentDecision.Pending(record.Id);
            case ApprovalState.Approved when record.CertificateSerial is { } serial
                && await _store.FindAsync(serial, cancellationToken).ConfigureAwait(false) is { } issued:
                return EnrollmentDecision.Issued(issued.RawData);
            case ApprovalState.Rejected:
                return EnrollmentDecision.Rejected(FailInfo.BadRequest, record.Reason ?? "The request was rejected.");
            default:
                return EnrollmentDecision.Rejected(FailInfo.BadRequest, "The pending request is not known.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<X509Certificate2?> FindCertificateAsync(string caName, IssuerAndSerialNumber certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var record = await _store.FindAsync(certificate.SerialNumberHex, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var found = X509CertificateLoader.LoadCertificate(record.RawData);
        return certificate.Matches(found) ? found : null;
    }

    /// <inheritdoc />
    public async ValueTask<CertificateStatus> GetCertificateStatusAsync(string caName, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var record = await _store.FindAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (record is null || !record.RawData.AsSpan().SequenceEqual(certificate.RawData))
        {
            return CertificateStatus.Unknown;
        }

        return record.RevokedAt is null ? CertificateStatus.Good : CertificateStatus.Revoked;
    }

    /// <inheritdoc />
    public async ValueTask<X509Certificate2?> FindIssuedAsync(IssuedEnrollmentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var record = query.TransactionId is { } transactionId
            ? await _store.FindByTransactionAsync(query.Alias, transactionId, cancellationToken).ConfigureAwait(false)
            : query.Username is { } username
                ? await _store.FindLatestForUserAsync(username, query.Since, cancellationToken).ConfigureAwait(false)
                : null;
        return record is null ? null : X509CertificateLoader.LoadCertificate(record.RawData);
    }

    /// <summary>
    /// The CA's current CRL: the stored one while it covers every revocation and is less than half way to its nextUpdate;
    /// otherwise a new one with the next CRL number. Null for a CA whose key is not here (a previous CA certificate).
    /// </summary>
    /// <param name="caName">The alias's CA name.</param>
    /// <param name="issuer">The CA certificate (current or next).</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The DER CRL, or null.</returns>
    public async ValueTask<byte[]?> GetCrlAsync(string caName, X509Certificate2 issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var ca = await FindCaAsync(caName, issuer, cancellationToken).ConfigureAwait(false);
        if (ca?.CaKey is null)
        {
            return null;
        }

        var issuerId = ScepCaCredentials.IdOf(ca.CaCertificate);
        var stored = await _store.GetCrlAsync(issuerId, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            var revision = await _store.GetRevisionAsync(issuerId, cancellationToken).ConfigureAwait(false);
            var refreshAt = stored.ThisUpdate + ((stored.NextUpdate - stored.ThisUpdate) / 2);
            if (stored.Revision == revision && _time.GetUtcNow() < refreshAt)
            {
                return stored.RawData;
            }
        }

        return (await IssueCrlAsync(ca, cancellationToken).ConfigureAwait(false)).RawData;
    }

    /// <summary>Makes and stores a new CRL of a CA now (an operator's <c>issue-crl</c>).</summary>
    /// <param name="caName">The CA name.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The CRLs made: the current CA's and, during a rollover, the next CA's.</returns>
    public async ValueTask<StoredCrl[]> IssueCrlsAsync(string caName, CancellationToken cancellationToken)
    {
        var credentials = await CredentialLookup.GetAsync(_credentials, caName, cancellationToken).ConfigureAwait(false);
        var current = await IssueCrlAsync(credentials, cancellationToken).ConfigureAwait(false);
        return credentials.Next is { CaKey: not null } next
            ? [current, await IssueCrlAsync(next, cancellationToken).ConfigureAwait(false)]
            : [current];
    }

    /// <summary>Approves a request held for approval: the certificate is issued and recorded now, and delivered at the client's next poll.</summary>
    /// <param name="id">The request's reference.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="InvalidOperationException">No such request, it is decided already, or its CA's key is not here.</exception>
    public async ValueTask<IssuedCertificateRecord> ApproveAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var pending = await _store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
        if (pending is not { State: ApprovalState.Pending })
        {
            throw new InvalidOperationException(pending is null ? $"No pending request '{id}'." : $"The request '{id}' is {pending.State.ToString().ToLowerInvariant()} already.");
        }

        var ca = await CaByIdAsync(pending.CaName, pending.IssuerId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The CA that is to issue request '{id}' ({pending.IssuerId}) has no key here any more.");
        var issuer = Issuer(ca, pending.Alias);
        var csr = Pkcs10Request.Decode(pending.Csr);
        var now = _time.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var certificate = issuer.Issue(csr, new X500DistinguishedName(pending.SubjectDer), now);
            var record = Record(certificate, ca.CaCertificate, pending.Username, pending.Alias, pending.TransactionId, now);
            if (await _store.TryApproveAsync(id, record, now, cancellationToken).ConfigureAwait(false))
            {
                return record;
            }

            var current = await _store.FindPendingAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is not { State: ApprovalState.Pending } || attempt == 2)
            {
                throw new InvalidOperationException($"The request '{id}' was decided meanwhile.");
            }
        }
    }

    /// <summary>Rejects a request held for approval; the client's next poll gets FAILURE with the reason.</summary>
    /// <param name="id">The request's reference.</param>
    /// <param name="reason">The reason the client gets.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>False when the request is unknown or decided already.</returns>
    public ValueTask<bool> RejectAsync(string id, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return _store.TryRejectAsync(id, reason, _time.GetUtcNow(), cancellationToken);
    }

    /// <summary>Revokes a certificate; the next GetCRL lists it, and the observers hear <see cref="EnrollmentEventKind.Revoked"/>.</summary>
    /// <param name="serialNumber">The serial number, hex (separators and case do not matter).</param>
    /// <param name="reason">The reason, or null.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened, and the record.</returns>
    public async ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        var now = _time.GetUtcNow();
        var result = await _store.RevokeAsync(NormalizeSerial(serialNumber), reason, now, cancellationToken).ConfigureAwait(false);
        if (result.Result == RevocationResult.Revoked && _observers is { Any: true } && result.Certificate is { } revoked)
        {
            var caName = CaNameOf(revoked.Alias);
            await _observers.NotifyAsync(
                new EnrollmentEvent(EnrollmentEventKind.Revoked, revoked.Alias ?? string.Empty, caName, now, revoked.RawData)
                {
                    TransactionId = revoked.TransactionId,
                    Username = revoked.Username,
                    RevocationReason = reason,
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The CA name of an alias; <c>default</c> for an alias that is not configured (any more).</summary>
    private string CaNameOf(string? alias) =>
        alias is not null && _server.Value.Aliases.TryGetValue(alias, out var options) ? options.CaName : "default";

    /// <summary>Serial numbers as stores keep them: upper-case hex without separators.</summary>
    /// <param name="serialNumber">A serial number as people write it (<c>01:a2</c>, <c>01 A2</c>).</param>
    /// <returns>The normalized form.</returns>
    public static string NormalizeSerial(string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        return string.Concat(serialNumber.Where(c => c is not (':' or ' ' or '-'))).ToUpperInvariant();
    }

    private async ValueTask<IssuedCertificateRecord> IssueAndRecordAsync(
        CertificateIssuer issuer, Pkcs10Request csr, X500DistinguishedName subject, string? username, string alias, string transactionId, CancellationToken cancellationToken)
    {
        // A random serial of 126 bits collides with nothing in practice; the store's key makes sure of it.
        for (var attempt = 0; ; attempt++)
        {
            var now = _time.GetUtcNow();
            var record = Record(issuer.Issue(csr, subject, now), issuer.CaCertificate, username, alias, transactionId, now);
            if (await _store.TryAddAsync(record, cancellationToken).ConfigureAwait(false))
            {
                return record;
            }

            if (attempt == 2)
            {
                throw new InvalidOperationException("Could not record the issued certificate: its serial number is taken.");
            }
        }
    }

    private async ValueTask<StoredCrl> IssueCrlAsync(ScepCaCredentials ca, CancellationToken cancellationToken)
    {
        // The number is taken first: a revocation committed after this point raises the revision above the one
        // recorded here, so the next request rebuilds the CRL.
        var issuerId = ScepCaCredentials.IdOf(ca.CaCertificate);
        var (number, revision) = await _store.NextCrlNumberAsync(issuerId, cancellationToken).ConfigureAwait(false);
        var revoked = await _store.ListRevokedAsync(issuerId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var nextUpdate = now + _options.CrlValidity;
        var crl = new StoredCrl(issuerId, number, revision, now, nextUpdate, Issuer(ca, null).CreateCrl(revoked, number, now, nextUpdate));
        await _store.StoreCrlAsync(crl, cancellationToken).ConfigureAwait(false);
        return crl;
    }

    private static IssuedCertificateRecord Record(IssuedCertificate certificate, X509Certificate2 caCertificate, string? username, string? alias, string? transactionId, DateTimeOffset now) =>
        new(certificate.SerialNumber, ScepCaCredentials.IdOf(caCertificate), certificate.Subject, username, alias, transactionId,
            certificate.NotBefore, certificate.NotAfter, now, certificate.RawData.ToArray());

    /// <summary>The issuer of a CA for an alias's profile (the default profile for CRLs), made once.</summary>
    private CertificateIssuer Issuer(ScepCaCredentials ca, string? alias)
    {
        var profile = alias is null ? _options.Profile : _options.ProfileFor(alias);
        return _issuers.GetOrAdd((ScepCaCredentials.IdOf(ca.CaCertificate), profile), _ => new CertificateIssuer(ca.CaCertificate, ca.CaKey!, profile));
    }

    /// <summary>The credentials (current or next) whose CA certificate is <paramref name="caCertificate"/>, with its key.</summary>
    private async ValueTask<ScepCaCredentials> IssuingCaAsync(string caName, X509Certificate2 caCertificate, CancellationToken cancellationToken)
    {
        var ca = await FindCaAsync(caName, caCertificate, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"CA '{caName}' has no certificate '{caCertificate.Subject}'.");
        return ca.CaKey is null
            ? throw new InvalidOperationException($"CA '{caName}' ({caCertificate.Subject}) has no CaKey: IssuingAuthority needs the CA's private key in its ScepCaCredentials.")
            : ca;
    }

    private async ValueTask<ScepCaCredentials?> FindCaAsync(string caName, X509Certificate2 caCertificate, CancellationToken cancellationToken)
    {
        var credentials = await CredentialLookup.GetAsync(_credentials, caName, cancellationToken).ConfigureAwait(false);
        if (credentials.CaCertificate.RawDataMemory.Span.SequenceEqual(caCertificate.RawDataMemory.Span))
        {
            return credentials;
        }

        return credentials.Next is { } next && next.CaCertificate.RawDataMemory.Span.SequenceEqual(caCertificate.RawDataMemory.Span) ? next : null;
    }

    private async ValueTask<ScepCaCredentials?> CaByIdAsync(string caName, string issuerId, CancellationToken cancellationToken)
    {
        var credentials = await CredentialLookup.GetAsync(_credentials, caName, cancellationToken).ConfigureAwait(false);
        foreach (var ca in (ReadOnlySpan<ScepCaCredentials?>)[credentials, credentials.Next])
        {
            if (ca is { CaKey: not null } && ScepCaCredentials.IdOf(ca.CaCertificate) == issuerId)
            {
                return ca;
            }
        }

        return null;
    }
}
