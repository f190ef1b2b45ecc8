using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;
using System;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>The JSON body of a notification (docs/webhooks.md, "Notifications").</summary>
internal static class WebhookEventPayload
{
    public static string KindName(EnrollmentEventKind kind) => kind.ToString().ToLowerInvariant();

    public static byte[] Write(EnrollmentEvent e, string deliveryId, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "scep.enrollment." + KindName(e.Kind));
            json.WriteString("kind", KindName(e.Kind));
            json.WriteString("deliveryId", deliveryId);
            json.WriteString("time", Time(now));
            json.WriteString("occurredAt", Time(e.OccurredAt));
            json.WriteString("alias", e.Alias);
            json.WriteString("caName", e.CaName);
            WebhookChallengeRequest.WriteOrNull(json, "transactionId", e.TransactionId);
            WebhookChallengeRequest.WriteOrNull(json, "messageType", e.MessageType?.ToString());
            WebhookChallengeRequest.WriteOrNull(json, "username", e.Username);
            var certificate = e.Certificate;
            WebhookChallengeRequest.WriteOrNull(json, "subject", certificate?.SubjectName.Name ?? e.CertificationRequest?.Subject.Name);
            WebhookChallengeRequest.WriteOrNull(json, "serialNumber", certificate?.SerialNumber.ToLowerInvariant());
            WebhookChallengeRequest.WriteOrNull(json, "thumbprint", certificate is null ? null : Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span)));
            WebhookChallengeRequest.WriteOrNull(json, "notAfter", certificate is null ? null : Time(new DateTimeOffset(certificate.NotAfter.ToUniversalTime())));
            WebhookChallengeRequest.WriteOrNull(json, "certificate", e.Kind == EnrollmentEventKind.Issued && certificate is not null ? PemEncoding.WriteString("CERTIFICATE", certificate.RawDataMemory.Span) : null);
            if (e.Refusal is { } refusal)
            {
                json.WriteStartObject("refusal");
                json.WriteString("failInfo", refusal.FailInfo.ToString());
                json.WriteString("reason", refusal.Reason);
                json.WriteString("category", refusal.Category.ToString());
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("refusal");
            }

            WebhookChallengeRequest.WriteOrNull(json, "revocationReason", e.RevocationReason?.ToString());
            WebhookChallengeRequest.WriteOrNull(json, "pendingKind", e.PendingKind?.ToString());
            WebhookChallengeRequest.WriteOrNull(json, "pollStatus", e.PollStatus?.ToString());
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
