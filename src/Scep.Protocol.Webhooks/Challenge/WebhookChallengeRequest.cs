using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;
using System;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>The JSON body the challenge webhook posts (docs/webhooks.md, "The challenge request").</summary>
internal static class WebhookChallengeRequest
{
    public const string Type = "scep.challenge";

    public static byte[] Write(ChallengeValidationContext context, string deliveryId, DateTimeOffset now, bool sendChallenge)
    {
        var csr = context.CertificationRequest;
        var names = CsrNames.From(csr);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", Type);
            json.WriteString("deliveryId", deliveryId);
            json.WriteString("time", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("alias", context.Alias);
            json.WriteString("caName", context.CaName);
            json.WriteString("mode", context.Mode == ScepOperationMode.Ca ? "ca" : "ra");
            json.WriteString("transactionId", context.Request.TransactionId);
            json.WriteString("messageType", context.Request.MessageType.ToString());
            if (sendChallenge && context.ChallengePassword is { } challenge)
            {
                json.WriteString("challenge", challenge);
            }
            else
            {
                json.WriteNull("challenge");
            }

            json.WriteString("csr", PemEncoding.WriteString("CERTIFICATE REQUEST", csr.RawData.Span));
            json.WriteString("subject", csr.Subject.Name);
            WriteOrNull(json, "commonName", csr.CommonName);
            json.WriteStartObject("subjectAltNames");
            WriteArray(json, "dns", names.Dns);
            WriteArray(json, "ip", names.IpAddresses);
            WriteArray(json, "email", names.Emails);
            WriteArray(json, "uri", names.Uris);
            json.WriteEndObject();
            WriteOrNull(json, "username", context.EndEntity?.Username);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    internal static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteArray(Utf8JsonWriter json, string name, List<string> values)
    {
        json.WriteStartArray(name);
        values.ForEach(json.WriteStringValue);
        json.WriteEndArray();
    }
}
