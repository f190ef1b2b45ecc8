using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server.Internal;

/// <summary>
/// Handles one decoded pkiMessage and always returns a signed CertRep (reference §10.1): every failure the
/// protocol can express becomes a FAILURE with its failInfo. State is written only once a request has passed
/// every stateless check.
/// </summary>
internal sealed class PkiOperationProcessor
{
    /// <summary>The one reason CA mode gives for a wrong code, an unknown user and a wrong status alike (EJBCA).</summary>
    internal const string CaModeRefusal = "The end entity is unknown, its status does not allow enrollment, or the challenge password is wrong.";

    /// <summary>
    /// The <see cref="EndEntity.ProfileData"/> key that marks an entity whose request awaits approval, as
    /// "{alias}\n{transactionID}": while that transaction is pending the entity's reservation does not go stale,
    /// so its one-time code cannot start a second request. Removed when the entity's status changes.
    /// </summary>
    internal const string AwaitingApprovalKey = "scep:awaiting-approval";

    /// <summary>rsaEncryption: the only key a reply can be encrypted to.</summary>
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private readonly IEnrollmentAuthority _authority;
    private readonly IEndEntityStore? _entities;
    private readonly IScepTransactionStore _transactions;
    private readonly ICrlSource? _crls;
    private readonly IChallengeValidator? _challengeValidator;
    private readonly TimeProvider _time;
    private readonly ScepMetrics _metrics;
    private readonly TimeSpan _staleAfter;

    public PkiOperationProcessor(
        IOptions<ScepServerOptions> options,
        IEnrollmentAuthority authority,
        IEndEntityStore? entities,
        IScepTransactionStore transactions,
        ICrlSource? crls,
        IChallengeValidator? challengeValidator,
        TimeProvider time,
        ScepMetrics metrics)
    {
        _authority = authority;
        _entities = entities;
        _transactions = transactions;
        _crls = crls;
        _challengeValidator = challengeValidator;
        _time = time;
        _metrics = metrics;
        _staleAfter = options.Value.StaleReservationTimeout;
    }

    public async ValueTask<PkiMessage> ProcessAsync(AliasRuntime alias, ScepCaCredentials credentials, PkiMessage request, CancellationToken cancellationToken)
    {
        var exchange = new Exchange(alias, credentials, request, _time.GetUtcNow());
        try
        {
            return await HandleAsync(exchange, cancellationToken).ConfigureAwait(false);
        }
        catch (ScepException e)
        {
            return exchange.Failure(e.FailInfo, e.Message);
        }
    }

    private async ValueTask<PkiMessage> HandleAsync(Exchange x, CancellationToken cancellationToken)
    {
        var request = x.Request;
        var options = x.Alias.Options;
        switch (request.MessageType)
        {
            case MessageType.PKCSReq or MessageType.RenewalReq or MessageType.UpdateReq or MessageType.CertPoll:
                break;
            case MessageType.GetCert or MessageType.GetCRL when options.AllowGetCertAndGetCrl:
                break;
            default:
                return x.Failure(FailInfo.BadRequest, $"messageType {request.MessageType} is not supported here.");
        }

        // §10.1 steps 5-8: signer, signature, algorithms, time.
        // The signer is used by its key (SignerPublicKeyInfo) and loaded as a certificate only for a renewal.
        request.EnsureSignatureValid(x.Alias.Policy);
        if (options.SigningTimeTolerance is { } tolerance)
        {
            request.EnsureSigningTimeWithin(x.Now, tolerance);
        }

        // Step 10: which of our keys the client encrypted to; during a rollover that also picks the issuing CA.
        var envelope = request.Envelope
            ?? throw new ScepException(request.Content.IsEmpty ? ScepError.MissingContent : ScepError.MalformedEnvelope, "The request carries no readable pkcsPKIEnvelope.");
        var target = x.Credentials;
        if (envelope.FindRecipientCertificate([x.Credentials.DecryptionCertificate]) is null)
        {
            target = x.Credentials.Next is { } next && envelope.FindRecipientCertificate([next.DecryptionCertificate]) is not null
                ? next
                : throw new ScepException(ScepError.RecipientNotFound, "The request is not encrypted to this CA's certificate.");
        }

        var content = request.Decrypt(target.DecryptionCertificate, target.DecryptionKey, x.Alias.Policy);
        x.ContentEncryption = content.EncryptionAlgorithm;
        return request.MessageType switch
        {
            MessageType.CertPoll => await PollAsync(x, cancellationToken).ConfigureAwait(false),
            MessageType.GetCert => await GetCertAsync(x, content.IssuerAndSerialNumber!, cancellationToken).ConfigureAwait(false),
            MessageType.GetCRL => await GetCrlAsync(x, content.IssuerAndSerialNumber!, cancellationToken).ConfigureAwait(false),
            _ => await EnrollAsync(x, target, content.CertificationRequest!, cancellationToken).ConfigureAwait(false),
        };
    }

    private async ValueTask<PkiMessage> EnrollAsync(Exchange x, ScepCaCredentials target, Pkcs10Request csr, CancellationToken cancellationToken)
    {
        var options = x.Alias.Options;
        var signerKey = x.Request.SignerPublicKeyInfo;
        var signerPublicKey = SignerKey(x.Request);
        if (signerPublicKey.Oid.Value != RsaEncryptionOid)
        {
            return x.Failure(FailInfo.BadAlg, "The request's signer certificate has no RSA key, so no reply can be encrypted to it.");
        }

        csr.VerifyProofOfPossession();
        var caCertificates = new List<X509Certificate2> { x.Credentials.CaCertificate };
        if (x.Credentials.Next is { } next)
        {
            caCertificates.Add(next.CaCertificate);
        }

        caCertificates.AddRange(x.Credentials.PreviousCaCertificates);
        var classification = RenewalDetection.Classify(x.Request, csr, caCertificates);
        var isRenewalType = x.Request.MessageType is MessageType.RenewalReq or MessageType.UpdateReq;
        if (classification.Kind == EnrollmentKind.UnknownSigner || (isRenewalType && classification.Kind != EnrollmentKind.Renewal))
        {
            return x.Failure(FailInfo.BadRequest, "The request is signed by a certificate that is neither self-signed nor issued by this CA.");
        }

        var renewal = classification.Kind == EnrollmentKind.Renewal;
        var signer = renewal
            ? x.Request.SignerCertificate ?? throw new ScepException(ScepError.SignerCertificateNotFound, "The certificate that signed the message cannot be read.")
            : null;
        if (signer is not null)
        {
            await CheckRenewalAsync(x, signer, csr, classification, cancellationToken).ConfigureAwait(false);
        }
        else if (options.RequireSignerKeyMatchesRequest && !csr.SubjectPublicKeyInfo.Span.SequenceEqual(signerKey.Span))
        {
            return x.Failure(FailInfo.BadRequest, "The certificate request's key differs from the key that signed the message.");
        }

        // Re-sent request (RFC 8894 §3.3.2: same transactionID) answers from the record; never a second issuance.
        var requesterKeyId = KeyId(signerPublicKey);
        var existing = await _transactions.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        if (existing is { State: ScepTransactionState.InProcess } && IsStale(existing.UpdatedAt)
            && await SettleStaleAsync(x, existing, requesterKeyId, cancellationToken).ConfigureAwait(false) is { } settled)
        {
            return settled;
        }

        var retryable = existing is null || existing.State == ScepTransactionState.Rejected
            || (existing.State == ScepTransactionState.InProcess && IsStale(existing.UpdatedAt));
        if (!retryable)
        {
            return await AnswerFromRecordAsync(x, existing!, requesterKeyId, cancellationToken).ConfigureAwait(false);
        }

        var username = signer is not null ? CommonName(signer) : csr.CommonName;
        EndEntity? entity = null;
        if (!renewal)
        {
            entity = await AuthorizeInitialAsync(x, csr, cancellationToken).ConfigureAwait(false);
        }
        else if (options.Mode == ScepOperationMode.Ca && _entities is not null && username is not null)
        {
            entity = await _entities.FindAsync(username, cancellationToken).ConfigureAwait(false);
            if (entity is null || entity.Status is not (EndEntityStatus.Generated or EndEntityStatus.New))
            {
                return x.Failure(FailInfo.BadRequest, "The certificate being renewed belongs to no end entity that may renew.");
            }
        }

        // Reserve the transaction, then the end entity: compare-and-swap makes one-time codes one-time.
        var transaction = await ReserveTransactionAsync(x, existing, requesterKeyId, username, entity?.Status, cancellationToken).ConfigureAwait(false);
        if (transaction.Answer is not null)
        {
            return transaction.Answer;
        }

        var record = transaction.Record!;
        if (entity is not null || (options.Mode == ScepOperationMode.Ra && username is not null))
        {
            entity = await ReserveEntityAsync(x, entity, username, csr, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                var refusal = options.Mode == ScepOperationMode.Ca ? CaModeRefusal : "Another enrollment for this end entity is in progress.";
                await RecordRejectionAsync(record, FailInfo.BadRequest, refusal, cancellationToken).ConfigureAwait(false);
                return x.Failure(FailInfo.BadRequest, refusal);
            }
        }

        EnrollmentDecision decision;
        try
        {
            decision = await _authority.EnrollAsync(
                new EnrollmentContext
                {
                    Alias = x.Alias.Name,
                    Mode = options.Mode,
                    CaName = options.CaName,
                    IssuingCaCertificate = target.CaCertificate,
                    IsForNextCa = !ReferenceEquals(target, x.Credentials),
                    CertificationRequest = csr,
                    Request = x.Request,
                    Kind = classification.Kind,
                    RenewedCertificate = signer,
                    EndEntity = entity,
                    ReceivedAt = x.Now,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(record, entity).ConfigureAwait(false);
            throw;
        }

        return await ApplyDecisionAsync(x, record, entity, decision, target, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CheckRenewalAsync(Exchange x, X509Certificate2 signer, Pkcs10Request csr, EnrollmentClassification classification, CancellationToken cancellationToken)
    {
        var options = x.Alias.Options;
        if (!options.AllowRenewal)
        {
            throw new ScepException(ScepError.Refused, "Certificate renewal is not enabled for this alias.");
        }

        if (x.Now < signer.NotBefore || x.Now > signer.NotAfter)
        {
            throw new ScepException(ScepError.Refused, "The certificate being renewed is expired or not yet valid.");
        }

        var status = await _authority.GetCertificateStatusAsync(options.CaName, signer, cancellationToken).ConfigureAwait(false);
        if (status != CertificateStatus.Good)
        {
            throw new ScepException(ScepError.Refused, status == CertificateStatus.Revoked
                ? "The certificate being renewed is revoked."
                : "The certificate being renewed is not on record at this CA.");
        }

        var lifetime = signer.NotAfter - signer.NotBefore;
        var earliest = new DateTimeOffset(signer.NotBefore) + (lifetime * options.RenewalMinimumElapsedFraction);
        if (x.Now < earliest)
        {
            throw new ScepException(ScepError.Refused, $"The certificate may be renewed from {earliest:u}, after {options.RenewalMinimumElapsedFraction:P0} of its validity.");
        }

        if (classification.ReusesKey && !options.AllowRenewalWithOldKey)
        {
            throw new ScepException(ScepError.Refused, "Renewal with the old key is not allowed here; request a new key.");
        }

        if (!string.Equals(CommonName(signer), csr.CommonName, StringComparison.Ordinal))
        {
            throw new ScepException(ScepError.Refused, "A renewal must keep the certificate's common name.");
        }
    }

    /// <summary>CA mode: the CN names a NEW entity whose code is the challengePassword. RA mode: the challenge validator decides.</summary>
    private async ValueTask<EndEntity?> AuthorizeInitialAsync(Exchange x, Pkcs10Request csr, CancellationToken cancellationToken)
    {
        var options = x.Alias.Options;
        if (options.Mode == ScepOperationMode.Ca)
        {
            var store = _entities ?? throw new InvalidOperationException("CA mode needs an IEndEntityStore.");
            var entity = csr.CommonName is { Length: > 0 } cn ? await store.FindAsync(cn, cancellationToken).ConfigureAwait(false) : null;
            var codeMatches = EnrollmentCode.Verify(entity?.EnrollmentCodeHash ?? DummyHash, csr.ChallengePassword ?? string.Empty);
            var abandoned = entity is not null
                && IsStale(entity.Status, entity.StatusChangedAt, EndEntityStatus.InProcess)
                && !await IsAwaitingApprovalAsync(entity, cancellationToken).ConfigureAwait(false);
            var usable = entity is not null
                && codeMatches
                && (entity.Status == EndEntityStatus.New || abandoned)
                && (entity.Alias is null || entity.Alias.Equals(x.Alias.Name, StringComparison.OrdinalIgnoreCase));
            if (!usable || (abandoned && await SpentByAnIssuedCertificateAsync(x, entity!, cancellationToken).ConfigureAwait(false)))
            {
                throw new ScepException(ScepError.Refused, CaModeRefusal);
            }

            return entity;
        }

        var valid = _challengeValidator is not null
            ? await _challengeValidator.ValidateAsync(
                new ChallengeValidationContext { Alias = x.Alias.Name, ChallengePassword = csr.ChallengePassword, CertificationRequest = csr, Request = x.Request },
                cancellationToken).ConfigureAwait(false)
            : options.RaChallenge is { } secret && FixedTimeEquals(secret, csr.ChallengePassword);
        if (!valid)
        {
            throw new ScepException(ScepError.Refused, "The challenge password is not valid.");
        }

        return _entities is null || csr.CommonName is null
            ? null
            : await _entities.FindAsync(csr.CommonName, cancellationToken).ConfigureAwait(false);
    }

    // Keeps the work of a wrong username equal to that of a wrong code.
    private static readonly string DummyHash = EnrollmentCode.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    private static bool FixedTimeEquals(string expected, string? presented)
    {
        var a = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(expected));
        var b = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(presented ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(a, b) && presented is not null;
    }

    private async ValueTask<(ScepTransaction? Record, PkiMessage? Answer)> ReserveTransactionAsync(
        Exchange x, ScepTransaction? existing, string requesterKeyId, string? username, EndEntityStatus? entityStatus, CancellationToken cancellationToken)
    {
        var record = new ScepTransaction
        {
            Alias = x.Alias.Name,
            TransactionId = x.Request.TransactionId,
            RequesterKeyId = requesterKeyId,
            State = ScepTransactionState.InProcess,
            MessageType = x.Request.MessageType,
            Username = username,
            PreviousEntityStatus = entityStatus,
            CreatedAt = x.Now,
            UpdatedAt = x.Now,
        };

        if (existing is null)
        {
            if (await _transactions.TryAddAsync(record, cancellationToken).ConfigureAwait(false))
            {
                return (record, null);
            }
        }
        else if (existing.RequesterKeyId == requesterKeyId
                 && await _transactions.TryUpdateAsync(record with { Version = existing.Version + 1, CreatedAt = existing.CreatedAt }, existing.Version, cancellationToken).ConfigureAwait(false))
        {
            // A new attempt after a rejection replaces the finished transaction.
            return (record with { Version = existing.Version + 1, CreatedAt = existing.CreatedAt }, null);
        }

        // Someone else got there first: answer from what is recorded now.
        var current = await _transactions.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        return current is null
            ? (null, x.Failure(FailInfo.BadRequest, "The transaction could not be recorded; send the request again."))
            : (null, await AnswerFromRecordAsync(x, current, requesterKeyId, cancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<EndEntity?> ReserveEntityAsync(Exchange x, EndEntity? entity, string? username, Pkcs10Request csr, CancellationToken cancellationToken)
    {
        var store = _entities;
        if (store is null)
        {
            return entity;
        }

        if (entity is null)
        {
            // RA mode: the entity is created from the request with the alias's defaults.
            var created = new EndEntity
            {
                Username = username!,
                Status = EndEntityStatus.InProcess,
                SubjectDn = csr.Subject.Name,
                Alias = x.Alias.Name,
                ProfileData = new Dictionary<string, string>(x.Alias.Options.RaEntityDefaults, StringComparer.Ordinal),
                StatusChangedAt = x.Now,
            };
            if (await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false))
            {
                return created;
            }

            entity = await store.FindAsync(username!, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return null;
            }
        }

        var expected = entity.Version;
        var reserved = entity with
        {
            Status = EndEntityStatus.InProcess,
            StatusChangedAt = x.Now,
            Version = expected + 1,
            SubjectDn = x.Alias.Options.Mode == ScepOperationMode.Ra ? csr.Subject.Name : entity.SubjectDn,
        };
        if (x.Alias.Options.Mode == ScepOperationMode.Ra && entity.Status == EndEntityStatus.InProcess && !IsStale(entity.Status, entity.StatusChangedAt, EndEntityStatus.InProcess))
        {
            return null;
        }

        return await store.TryUpdateAsync(reserved, expected, cancellationToken).ConfigureAwait(false) ? reserved : null;
    }

    private async ValueTask<PkiMessage> ApplyDecisionAsync(Exchange x, ScepTransaction record, EndEntity? entity, EnrollmentDecision decision, ScepCaCredentials issuer, CancellationToken cancellationToken)
    {
        switch (decision.Outcome)
        {
            case EnrollmentOutcome.Issued:
                var certificate = decision.CertificateRawData;
                // The certificate is on record before the reply leaves.
                if (!await UpdateAsync(record, record with { State = ScepTransactionState.Issued, IssuedCertificate = certificate.ToArray() }, cancellationToken).ConfigureAwait(false))
                {
                    return await AnswerFromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
                }

                await SetEntityStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
                _metrics.Issued(x.Alias.Name);
                return x.Success([certificate, .. x.Alias.ReplyExtras(issuer.CaCertificate, issuer.Chain).Select(c => c.RawDataMemory)]);
            case EnrollmentOutcome.Pending when x.Alias.Options.AllowPending:
                if (record.State != ScepTransactionState.Pending
                    && !await UpdateAsync(record, record with { State = ScepTransactionState.Pending, PendingReference = decision.PendingReference }, cancellationToken).ConfigureAwait(false))
                {
                    return await AnswerFromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
                }

                await MarkAwaitingApprovalAsync(entity, record, cancellationToken).ConfigureAwait(false);
                return x.Pending();
            default:
                var pendingRefused = decision.Outcome == EnrollmentOutcome.Pending;
                var failInfo = pendingRefused ? FailInfo.BadRequest : decision.FailInfo ?? FailInfo.BadRequest;
                var reason = pendingRefused ? "Manual approval is not available on this alias." : decision.Reason ?? "The request was rejected.";
                if (!await RecordRejectionAsync(record, failInfo, reason, cancellationToken).ConfigureAwait(false))
                {
                    return await AnswerFromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
                }

                await SetEntityStatusAsync(entity, StatusToRestore(record), x.Now, cancellationToken).ConfigureAwait(false);
                return x.Failure(failInfo, reason);
        }
    }

    private async ValueTask<PkiMessage> AnswerFromRecordAsync(Exchange x, ScepTransaction record, string requesterKeyId, CancellationToken cancellationToken)
    {
        if (record.RequesterKeyId != requesterKeyId)
        {
            return x.Failure(FailInfo.BadRequest, "This transactionID belongs to another requester.");
        }

        switch (record.State)
        {
            case ScepTransactionState.Issued:
                var certificate = X509CertificateLoader.LoadCertificate(record.IssuedCertificate!);
                await SettleEntityOfIssuedAsync(record, cancellationToken).ConfigureAwait(false);
                var issuer = IssuerOf(x.Credentials, certificate);
                return x.Success([certificate, .. x.Alias.ReplyExtras(issuer.CaCertificate, issuer.Chain)]);
            case ScepTransactionState.Rejected:
                return x.Failure(record.FailInfo ?? FailInfo.BadRequest, record.FailInfoText ?? "The request was rejected.");
            case ScepTransactionState.Pending:
                var decision = await _authority.GetPendingDecisionAsync(
                    new PendingEnrollment { Alias = record.Alias, CaName = x.Alias.Options.CaName, TransactionId = record.TransactionId, Reference = record.PendingReference! },
                    cancellationToken).ConfigureAwait(false);
                if (decision.Outcome == EnrollmentOutcome.Pending)
                {
                    return x.Pending();
                }

                var entity = record.Username is not null && _entities is not null
                    ? await _entities.FindAsync(record.Username, cancellationToken).ConfigureAwait(false)
                    : null;
                if (entity is not null && entity.Status != EndEntityStatus.InProcess)
                {
                    entity = null;
                }

                return await ApplyDecisionAsync(x, record, entity, decision, IssuerOf(x.Credentials, decision.Certificate), cancellationToken).ConfigureAwait(false);
            default:
                return x.Pending();
        }
    }

    private async ValueTask<PkiMessage> PollAsync(Exchange x, CancellationToken cancellationToken)
    {
        // RFC 8894 §3.3.3: the transaction is found by transactionID and bound to the requester's key.
        var record = await _transactions.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return x.Failure(FailInfo.BadRequest, "No request with this transactionID is known.");
        }

        var requesterKeyId = KeyId(SignerKey(x.Request));
        if (record.State == ScepTransactionState.InProcess && IsStale(record.UpdatedAt))
        {
            return await SettleStaleAsync(x, record, requesterKeyId, cancellationToken).ConfigureAwait(false)
                ?? x.Failure(FailInfo.BadRequest, "The request with this transactionID did not complete; send a new request.");
        }

        return await AnswerFromRecordAsync(x, record, requesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PkiMessage> GetCertAsync(Exchange x, IssuerAndSerialNumber id, CancellationToken cancellationToken)
    {
        var issuer = OurIssuer(x.Credentials, id);
        var certificate = issuer is null
            ? null
            : await _authority.FindCertificateAsync(x.Alias.Options.CaName, id, cancellationToken).ConfigureAwait(false);
        if (certificate is null)
        {
            return x.Failure(FailInfo.BadCertId, "No certificate with this issuer and serial number was issued here.");
        }

        var (credentials, caCertificate) = issuer!.Value;
        return x.Success([certificate, .. x.Alias.ReplyExtras(caCertificate, credentials.Chain)]);
    }

    private async ValueTask<PkiMessage> GetCrlAsync(Exchange x, IssuerAndSerialNumber id, CancellationToken cancellationToken)
    {
        var issuer = OurIssuer(x.Credentials, id);
        if (issuer is null)
        {
            return x.Failure(FailInfo.BadCertId, "The issuer is not a CA of this server.");
        }

        if (_crls is null)
        {
            return x.Failure(FailInfo.BadRequest, "GetCRL is not available on this server.");
        }

        var crl = await _crls.GetCrlAsync(x.Alias.Options.CaName, issuer.Value.CaCertificate, cancellationToken).ConfigureAwait(false);
        return crl is null
            ? x.Failure(FailInfo.BadRequest, "No CRL is available for this CA.")
            : x.Success(Array.Empty<ReadOnlyMemory<byte>>(), [crl]);
    }

    /// <summary>
    /// The CA certificate (current, next, or previous) that issued <paramref name="id"/>, with the credentials it
    /// belongs to (a previous CA's are the current ones). GetCRL must answer with that CA's CRL and GetCert with
    /// that CA's certificate: after a rollover the current CA's would not match the certificate's issuer.
    /// </summary>
    private static (ScepCaCredentials Credentials, X509Certificate2 CaCertificate)? OurIssuer(ScepCaCredentials credentials, IssuerAndSerialNumber id)
    {
        var name = id.IssuerRawData.Span;
        if (name.SequenceEqual(credentials.CaCertificate.SubjectName.RawData))
        {
            return (credentials, credentials.CaCertificate);
        }

        if (credentials.Next is { } next && name.SequenceEqual(next.CaCertificate.SubjectName.RawData))
        {
            return (next, next.CaCertificate);
        }

        foreach (var previous in credentials.PreviousCaCertificates)
        {
            if (name.SequenceEqual(previous.SubjectName.RawData))
            {
                return (credentials, previous);
            }
        }

        return null;
    }

    private static ScepCaCredentials IssuerOf(ScepCaCredentials credentials, X509Certificate2? certificate) =>
        certificate is not null && credentials.Next is { } next && certificate.IssuerName.RawData.AsSpan().SequenceEqual(next.CaCertificate.SubjectName.RawData)
            ? next
            : credentials;

    private ValueTask<bool> RecordRejectionAsync(ScepTransaction record, FailInfo failInfo, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(record, record with { State = ScepTransactionState.Rejected, FailInfo = failInfo, FailInfoText = reason }, cancellationToken);

    /// <summary>Compare-and-swap of a transaction from the version the caller holds.</summary>
    private ValueTask<bool> UpdateAsync(ScepTransaction current, ScepTransaction updated, CancellationToken cancellationToken) =>
        _transactions.TryUpdateAsync(updated with { Version = current.Version + 1, UpdatedAt = _time.GetUtcNow() }, current.Version, cancellationToken);

    /// <summary>Another request changed the transaction first (a concurrent poll or re-send): answer from what it recorded.</summary>
    private async ValueTask<PkiMessage> AnswerFromCurrentAsync(Exchange x, ScepTransaction record, CancellationToken cancellationToken)
    {
        var current = await _transactions.FindAsync(record.Alias, record.TransactionId, cancellationToken).ConfigureAwait(false);
        return current is null || current.State is ScepTransactionState.Pending or ScepTransactionState.InProcess
            ? x.Pending()
            : await AnswerFromRecordAsync(x, current, record.RequesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(ScepTransaction record, EndEntity? entity)
    {
        // The authority failed: leave nothing that blocks a retry.
        await RecordRejectionAsync(record, FailInfo.BadRequest, "The CA could not process the request.", CancellationToken.None).ConfigureAwait(false);
        await SetEntityStatusAsync(entity, StatusToRestore(record), _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// What a refused or failed request gives back to its end entity: the status it had before (a renewed entity
    /// stays Generated, its code spent); New for a new entity or one whose earlier reservation went stale.
    /// </summary>
    private static EndEntityStatus StatusToRestore(ScepTransaction record) =>
        record.PreviousEntityStatus is { } previous && previous != EndEntityStatus.InProcess ? previous : EndEntityStatus.New;

    private async ValueTask SetEntityStatusAsync(EndEntity? reserved, EndEntityStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (reserved is null || _entities is null)
        {
            return;
        }

        // Usually nothing touched the entity since this request reserved (or read) it: one compare-and-swap from
        // that version. A store round trip less per enrollment; when it fails, re-read and decide on what is there.
        if (reserved.Status == EndEntityStatus.InProcess
            && !reserved.ProfileData.ContainsKey(AwaitingApprovalKey)
            && await _entities.TryUpdateAsync(reserved with { Status = status, StatusChangedAt = now, Version = reserved.Version + 1 }, reserved.Version, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var current = await _entities.FindAsync(reserved.Username, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Status != EndEntityStatus.InProcess)
        {
            return;
        }

        var profile = current.ProfileData;
        if (profile.ContainsKey(AwaitingApprovalKey))
        {
            profile = profile.Where(p => p.Key != AwaitingApprovalKey).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        await _entities.TryUpdateAsync(current with { Status = status, StatusChangedAt = now, ProfileData = profile, Version = current.Version + 1 }, current.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Notes on the reserved entity that its request awaits approval (see <see cref="AwaitingApprovalKey"/>).</summary>
    private async ValueTask MarkAwaitingApprovalAsync(EndEntity? reserved, ScepTransaction record, CancellationToken cancellationToken)
    {
        if (reserved is null || _entities is null)
        {
            return;
        }

        var marker = record.Alias + "\n" + record.TransactionId;
        var current = await _entities.FindAsync(reserved.Username, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Status != EndEntityStatus.InProcess
            || (current.ProfileData.TryGetValue(AwaitingApprovalKey, out var existing) && existing == marker))
        {
            return;
        }

        var profile = new Dictionary<string, string>(current.ProfileData, StringComparer.Ordinal) { [AwaitingApprovalKey] = marker };
        await _entities.TryUpdateAsync(current with { ProfileData = profile, Version = current.Version + 1 }, current.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the entity's reservation belongs to a request that still awaits approval.</summary>
    private async ValueTask<bool> IsAwaitingApprovalAsync(EndEntity entity, CancellationToken cancellationToken)
    {
        if (!entity.ProfileData.TryGetValue(AwaitingApprovalKey, out var marker) || marker.Split('\n') is not [var alias, var transactionId])
        {
            return false;
        }

        var transaction = await _transactions.FindAsync(alias, transactionId, cancellationToken).ConfigureAwait(false);
        return transaction is { State: ScepTransactionState.Pending };
    }

    /// <summary>
    /// A transaction left InProcess past the stale timeout (its server stopped mid-request): when the authority
    /// issued a certificate for it, the transaction is settled as Issued with that certificate, its end entity as
    /// Generated (the one-time code is spent), and the request is answered from the record. Null when nothing was issued.
    /// </summary>
    private async ValueTask<PkiMessage?> SettleStaleAsync(Exchange x, ScepTransaction record, string requesterKeyId, CancellationToken cancellationToken)
    {
        var issued = await _authority.FindIssuedAsync(
            new IssuedEnrollmentQuery { CaName = x.Alias.Options.CaName, Alias = record.Alias, TransactionId = record.TransactionId, Username = record.Username, Since = record.CreatedAt },
            cancellationToken).ConfigureAwait(false);
        if (issued is null)
        {
            return null;
        }

        var settled = record with { State = ScepTransactionState.Issued, IssuedCertificate = issued.RawData, Version = record.Version + 1, UpdatedAt = _time.GetUtcNow() };
        if (!await _transactions.TryUpdateAsync(settled, record.Version, cancellationToken).ConfigureAwait(false))
        {
            return await AnswerFromCurrentAsync(x, record, cancellationToken).ConfigureAwait(false);
        }

        if (record.Username is not null && _entities is not null
            && await _entities.FindAsync(record.Username, cancellationToken).ConfigureAwait(false) is { } entity)
        {
            await SetEntityStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
        }

        return await AnswerFromRecordAsync(x, settled, requesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A server that stopped between recording the transaction as Issued and releasing the end entity left the entity
    /// InProcess: a re-send answered from the record settles it as Generated. An entity reserved after the transaction
    /// was issued belongs to a newer request and is left alone.
    /// </summary>
    private async ValueTask SettleEntityOfIssuedAsync(ScepTransaction record, CancellationToken cancellationToken)
    {
        if (record.Username is null || _entities is null
            || await _entities.FindAsync(record.Username, cancellationToken).ConfigureAwait(false) is not { Status: EndEntityStatus.InProcess } entity
            || entity.StatusChangedAt > record.UpdatedAt)
        {
            return;
        }

        await SetEntityStatusAsync(entity, EndEntityStatus.Generated, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// CA mode, an end entity left InProcess past the stale timeout: whether the authority issued a certificate for it
    /// since it was reserved. If so the entity is settled as Generated and its code stays spent.
    /// </summary>
    private async ValueTask<bool> SpentByAnIssuedCertificateAsync(Exchange x, EndEntity entity, CancellationToken cancellationToken)
    {
        var issued = await _authority.FindIssuedAsync(
            new IssuedEnrollmentQuery { CaName = x.Alias.Options.CaName, Alias = entity.Alias ?? x.Alias.Name, Username = entity.Username, Since = entity.StatusChangedAt },
            cancellationToken).ConfigureAwait(false);
        if (issued is null)
        {
            return false;
        }

        await SetEntityStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool IsStale(DateTimeOffset updatedAt) => _time.GetUtcNow() - updatedAt > _staleAfter;

    private bool IsStale(EndEntityStatus status, DateTimeOffset changedAt, EndEntityStatus staleable) => status == staleable && IsStale(changedAt);

    /// <summary>The key of the request's signer, read from the DER (the signature already verified with it).</summary>
    private static PublicKey SignerKey(PkiMessage request) => PublicKey.CreateFromSubjectPublicKeyInfo(request.SignerPublicKeyInfo.Span, out _);

    /// <summary>The requester's key as recorded on its transaction: SHA-256 of the key's DER SubjectPublicKeyInfo (re-encoded, as the record always was).</summary>
    private static string KeyId(PublicKey key) => Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static string? CommonName(X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(name) ? null : name;
    }

    /// <summary>One request/reply exchange: builds the CertReps with the alias's reply rules.</summary>
    private sealed class Exchange(AliasRuntime alias, ScepCaCredentials credentials, PkiMessage request, DateTimeOffset now)
    {
        public AliasRuntime Alias { get; } = alias;

        public ScepCaCredentials Credentials { get; } = credentials;

        public PkiMessage Request { get; } = request;

        public DateTimeOffset Now { get; } = now;

        public ContentEncryptionAlgorithm? ContentEncryption { get; set; }

        private CertRepParameters Parameters => new()
        {
            SignerCertificate = Credentials.SigningCertificate,
            SignerKey = Credentials.SigningKey,
            SigningTime = Now,
            DigestAlgorithm = Alias.ReplyDigest(Request),
            ContentEncryption = ContentEncryption,
        };

        public PkiMessage Failure(FailInfo failInfo, string reason) => CertRep.CreateFailure(Request, failInfo, reason, Parameters);

        public PkiMessage Pending() => CertRep.CreatePending(Request, Parameters);

        public PkiMessage Success(IEnumerable<X509Certificate2> certificates, IEnumerable<ReadOnlyMemory<byte>>? crls = null) =>
            Success(certificates.Select(c => c.RawDataMemory), crls);

        public PkiMessage Success(IEnumerable<ReadOnlyMemory<byte>> certificates, IEnumerable<ReadOnlyMemory<byte>>? crls = null)
        {
            var set = DegenerateCertificateSet.CreateFromEncoded(certificates, crls);
            return CertRep.CreateSuccess(Request, set, Parameters);
        }
    }
}
