using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Scep.Protocol.Server;

namespace Scep.Protocol.Intune;

/// <summary>
/// Tells Intune how its devices' enrollments ended, for the Intune console: <c>successNotification</c> with the
/// certificate's thumbprint, serial number, expiry and issuer after an issue, <c>failureNotification</c> with an HRESULT
/// and a description after a refusal (IntuneScepValidator.cs, SendSuccessNotificationAsync and
/// SendFailureNotificationAsync). Best effort, as every observer: a notification that fails is logged and the device's
/// answer stands.
/// </summary>
public sealed class IntuneNotifier : IEnrollmentObserver
{
    private readonly IntuneOptions _options;
    private readonly IntuneService _service;
    private readonly ILogger _logger;

    internal IntuneNotifier(IntuneOptions options, IntuneService service, ILogger<IntuneNotifier> logger)
    {
        _options = options;
        _service = service;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollmentEvent);
        if (!_options.Aliases.Contains(enrollmentEvent.Alias) || enrollmentEvent.TransactionId is not { } transactionId || enrollmentEvent.CertificationRequest is not { } csr)
        {
            return;
        }

        var notification = new JsonObject
        {
            ["transactionId"] = transactionId,
            ["certificateRequest"] = Convert.ToBase64String(csr.RawData.Span),
        };
        string path;
        switch (enrollmentEvent.Kind)
        {
            case EnrollmentEventKind.Issued when enrollmentEvent.Certificate is { } certificate:
                // The thumbprint as Windows shows it (SHA-1 hex); the expiry as ISO 8601 UTC with milliseconds
                // (the reference's documentation of certExpirationDate: "YYYY-MM-DDThh:mm:ss.sssTZD").
                notification["certificateThumbprint"] = certificate.GetCertHashString(HashAlgorithmName.SHA1);
                notification["certificateSerialNumber"] = certificate.SerialNumber;
                notification["certificateExpirationDateUtc"] = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                notification["issuingCertificateAuthority"] = certificate.Issuer;
                path = IntuneWire.SuccessPath;
                break;
            case EnrollmentEventKind.Refused when enrollmentEvent.Refusal is { } refusal:
                notification["hResult"] = IntuneHResults.For(refusal.Category);
                // The reference: "Max length = 255 chars".
                notification["errorDescription"] = refusal.Reason.Length <= 255 ? refusal.Reason : refusal.Reason[..255];
                path = IntuneWire.FailurePath;
                break;
            default:
                return;
        }

        notification["callerInfo"] = _options.ProviderNameAndVersion;
        try
        {
            var (code, _) = await _service.PostAsync(path, new JsonObject { ["notification"] = notification }, cancellationToken).ConfigureAwait(false);
            IntuneLog.Notified(_logger, enrollmentEvent.Kind.ToString(), enrollmentEvent.Alias, transactionId, code);
        }
        catch (IntuneUnavailableException e)
        {
            IntuneLog.NotificationFailed(_logger, enrollmentEvent.Kind.ToString(), enrollmentEvent.Alias, transactionId, e.Message);
        }
    }

}
