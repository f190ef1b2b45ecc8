using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// PKCSReq (19), RenewalReq (17) and UpdateReq (18), RFC 8894 §3.3.1: who asks and what kind of enrollment it is,
/// then the transaction's record (a re-sent request is answered from it, §3.3.2), then an <see cref="EnrollmentAttempt"/>.
/// </summary>
internal sealed class EnrollOperation(
    TransactionLedger ledger, StaleReservations stale, RecordedAnswers answers, EnrollmentAttempt attempt, RenewalPolicy renewals) : IPkiMessageOperation
{
    /// <summary>rsaEncryption: the only key a reply can be encrypted to.</summary>
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private static readonly ScepRefusal NoRsaSigner = new(FailInfo.BadAlg, "The request's signer certificate has no RSA key, so no reply can be encrypted to it.", RefusalCategory.Algorithm);
    private static readonly ScepRefusal ForeignSigner = new(FailInfo.BadRequest, "The request is signed by a certificate that is neither self-signed nor issued by this CA.", RefusalCategory.RequestMismatch);
    private static readonly ScepRefusal KeyMismatch = new(FailInfo.BadRequest, "The certificate request's key differs from the key that signed the message.", RefusalCategory.RequestMismatch);

    public bool IsServedBy(AliasRuntime alias) => true;

    public async ValueTask<OperationResult> HandleAsync(Exchange x, PkiMessageContent content, CancellationToken cancellationToken)
    {
        var csr = content.CertificationRequest!;
        x.Csr = csr;

        // §3.3.2: the reply's envelope goes to the signer's key, so it must be an RSA key.
        var signerKey = RequesterKey.Of(x.Request);
        if (signerKey.Oid.Value != RsaEncryptionOid)
        {
            return x.Failure(NoRsaSigner);
        }

        // §3.3.1: the CSR's own signature proves possession of its key (badMessageCheck otherwise).
        csr.VerifyProofOfPossession();

        // An RA this alias trusts forwards a device's PKCSReq under its own key: an initial enrollment it has authorized,
        // whatever CA issued the RA's certificate and whatever key the CSR holds.
        var isRenewalType = x.Request.MessageType is MessageType.RenewalReq or MessageType.UpdateReq;
        var fromTrustedRa = !isRenewalType && x.Alias.Options.Mode == ScepOperationMode.Ra && x.Alias.IsTrustedRaSigner(x.Request.SignerCertificateRawData.Span);

        // §3.3.1.2: a renewal is told by its signer, a certificate this CA (current, next or previous) issued.
        var classification = fromTrustedRa ? null : RenewalDetection.Classify(x.Request, csr, CaCertificates(x.Credentials));
        var kind = classification?.Kind ?? EnrollmentKind.InitialEnrollment;
        if (kind == EnrollmentKind.UnknownSigner || (isRenewalType && kind != EnrollmentKind.Renewal))
        {
            return x.Failure(ForeignSigner);
        }

        X509Certificate2? renewed = null;
        if (kind == EnrollmentKind.Renewal)
        {
            renewed = x.Request.SignerCertificate ?? throw new ScepException(ScepError.SignerCertificateNotFound, "The certificate that signed the message cannot be read.");
            if (await renewals.CheckAsync(x, renewed, csr, classification!.ReusesKey, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return x.Failure(refused);
            }
        }
        else if (!fromTrustedRa && x.Alias.Options.RequireSignerKeyMatchesRequest && !csr.SubjectPublicKeyInfo.Span.SequenceEqual(x.Request.SignerPublicKeyInfo.Span))
        {
            // §2.3: for an initial enrollment the self-signed signer certificate carries the CSR's key (DeviceQuirks.IvantiEpmmProxy
            // turns this off; a trusted RA signs with its own key for the device's).
            return x.Failure(KeyMismatch);
        }

        var request = new EnrollmentRequest(
            x.Request, csr, kind, renewed, RequesterKey.Id(signerKey), renewed is not null ? RenewalPolicy.CommonName(renewed) : csr.CommonName, x.Recipient, fromTrustedRa);

        // §3.3.2: a request re-sent with the same transactionID is answered from the record, never issued twice.
        var existing = await ledger.FindAsync(x.Alias.Name, x.Request.TransactionId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && ledger.IsStale(existing)
            && await stale.SettleAsync(x, existing, cancellationToken).ConfigureAwait(false) is { } settled)
        {
            return await answers.FromRecordAsync(x, settled, request.RequesterKeyId, cancellationToken).ConfigureAwait(false);
        }

        if (!ledger.StartsOver(existing))
        {
            return await answers.FromRecordAsync(x, existing!, request.RequesterKeyId, cancellationToken).ConfigureAwait(false);
        }

        return await attempt.RunAsync(x, request, existing, cancellationToken).ConfigureAwait(false)
            ?? await answers.AfterLostRaceAsync(x, request.RequesterKeyId, cancellationToken).ConfigureAwait(false);
    }

    private static List<X509Certificate2> CaCertificates(ScepCaCredentials credentials)
    {
        var certificates = new List<X509Certificate2> { credentials.CaCertificate };
        if (credentials.Next is { } next)
        {
            certificates.Add(next.CaCertificate);
        }

        certificates.AddRange(credentials.PreviousCaCertificates);
        return certificates;
    }
}
