using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Scep.Protocol;

namespace Scep.Cli;

/// <summary><c>scep decode</c>: any SCEP message, field by field, and its decrypted content given the recipient's key.</summary>
internal static class DecodeCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "The message: DER, PEM, base64, or a URL or query with message=...; '-' reads standard input" };
        var key = new Option<string?>("--key") { HelpName = "FILE", Description = "The recipient's RSA private key: decrypts the pkcsPKIEnvelope (the CA's key for a request, the client's for a reply)" };
        var recipient = new Option<string?>("--cert") { HelpName = "FILE", Description = "The recipient's certificate; without it, the recipient named in the envelope is assumed to be --key's" };
        var ca = new Option<string?>("--ca") { HelpName = "FILE", Description = "Certificates to verify the signature with when the message does not carry its signer's (NDES replies)" };
        var command = new Command("decode", "Decode a SCEP message (request or reply, GetCACert or GetNextCACert reply) field by field.") { file, key, recipient, ca };
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, () =>
        {
            var input = result.GetValue(file)!;
            var (der, form) = ReadMessage(Files.ReadBytes(input));
            var candidates = result.GetValue(ca) is { } caPath ? Files.ReadCertificates(caPath) : [];
            var output = environment.Out;
            if (PkiMessage.TryDecode(der, out var message, out var consumed) && consumed == der.Length)
            {
                output.WriteLine($"pkiMessage     {der.Length} bytes, {form}");
                PrintMessage(output, message, candidates);
                if (result.GetValue(key) is { } keyPath)
                {
                    var rsa = Files.ReadRsaKey(keyPath, "decryption");
                    var certificate = result.GetValue(recipient) is { } certificatePath ? Files.ReadCertificate(certificatePath) : null;
                    PrintContent(output, message, rsa, certificate);
                }
                else if (message.Envelope is not null)
                {
                    output.WriteLine("content        encrypted; give the recipient's key with --key to see it");
                }

                return Task.FromResult(ExitCodes.Success);
            }

            return Task.FromResult(PrintOther(output, der, form, candidates));
        }, token));
        return command;
    }

    /// <summary>DER as is; PEM of any label; a URL, query or bare value with the GET encoding of RFC 8894 §4.1.</summary>
    private static (byte[] Der, string Form) ReadMessage(byte[] data)
    {
        if (data.Length > 0 && data[0] == 0x30)
        {
            return (data, "DER/BER");
        }

        var text = Encoding.UTF8.GetString(data).Trim();
        if (text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            var blocks = Files.PemBlocks(text);
            return blocks.Count > 0 ? (blocks[0], "from PEM") : throw new CliUsageException("the PEM block cannot be read.");
        }

        var value = text;
        var form = "from base64";
        var index = text.IndexOf("message=", StringComparison.Ordinal);
        if (index >= 0)
        {
            value = text[(index + "message=".Length)..];
            var end = value.IndexOf('&', StringComparison.Ordinal);
            value = end >= 0 ? value[..end] : value;
            form = "from the message parameter of a URL";
        }

        try
        {
            return (ScepBase64.DecodeQueryValue(value), form);
        }
        catch (Exception e) when (e is ScepException or FormatException)
        {
            throw new CliUsageException("the input is neither DER, PEM, base64 nor a URL with message=: " + e.Message, e);
        }
    }

    private static void PrintMessage(TextWriter output, PkiMessage message, IReadOnlyList<X509Certificate2> candidates)
    {
        output.WriteLine($"messageType    {(int)message.MessageType} {Format.Name(message.MessageType)}");
        output.WriteLine($"transactionID  {message.TransactionId}");
        output.WriteLine($"senderNonce    {Nonce(message.SenderNonce)}");
        output.WriteLine($"recipientNonce {Nonce(message.RecipientNonce)}");
        if (message.Status is { } status)
        {
            output.WriteLine($"pkiStatus      {(int)status} {Format.Name(status)}");
        }

        if (message.FailInfo is { } failInfo)
        {
            output.WriteLine($"failInfo       {(int)failInfo} {Format.Name(failInfo)}");
        }

        if (message.FailInfoText is { } text)
        {
            output.WriteLine($"failInfoText   {text}");
        }

        output.WriteLine($"signingTime    {(message.SigningTime is { } time ? Format.Time(time) : "(absent)")}");
        output.WriteLine($"digest         {Format.Name(message.DigestAlgorithm)}");
        output.WriteLine($"signatureAlg   {message.SignatureAlgorithmOid}{OidName(message.SignatureAlgorithmOid)}");
        if (message.SignerCertificate is { } signer)
        {
            output.WriteLine("signer");
            foreach (var line in Format.Certificate(signer, "  "))
            {
                output.WriteLine(line);
            }
        }
        else
        {
            output.WriteLine("signer         (its certificate is not in the message)");
        }

        try
        {
            var verifiedBy = message.VerifySignature(ScepAlgorithmPolicy.Legacy, candidates);
            output.WriteLine($"signature      valid (verified with {verifiedBy.Subject})");
        }
        catch (ScepException e)
        {
            output.WriteLine($"signature      NOT VERIFIED ({e.Reason}): {e.Message}");
        }

        output.WriteLine($"certificates   {message.Certificates.Count}");
        for (var i = 0; i < message.Certificates.Count; i++)
        {
            var certificate = message.Certificates[i];
            output.WriteLine($"  {i + 1}. {certificate.Subject} (serial {certificate.SerialNumber}, issuer {certificate.Issuer})");
        }

        foreach (var (oid, value) in message.OtherSignedAttributes)
        {
            output.WriteLine($"attribute      {oid}: {Convert.ToHexString(value.Span)}");
        }

        if (message.Envelope is { } envelope)
        {
            var encryption = envelope.ContentEncryptionAlgorithm is { } algorithm ? Format.Name(algorithm) : "unknown";
            output.WriteLine($"envelope       EnvelopedData, {encryption} ({envelope.ContentEncryptionAlgorithmOid})");
            foreach (var recipient in envelope.Recipients)
            {
                var who = recipient.IssuerAndSerialNumber is { } id
                    ? $"issuer {id.Issuer.Name}, serial {id.SerialNumberHex}"
                    : recipient.SubjectKeyIdentifier.IsEmpty ? string.Empty : $"subjectKeyIdentifier {Convert.ToHexString(recipient.SubjectKeyIdentifier.Span)}";
                var transport = recipient.KeyEncryptionAlgorithmOid is { } oid ? $", key transport {oid}{OidName(oid)}" : string.Empty;
                output.WriteLine($"  recipient    {recipient.Type}{(who.Length > 0 ? ", " + who : string.Empty)}{transport}");
            }
        }
        else if (!message.Content.IsEmpty)
        {
            output.WriteLine($"content        {message.Content.Length} bytes that are not an EnvelopedData");
        }
        else
        {
            output.WriteLine("envelope       (none)");
        }
    }

    private static void PrintContent(TextWriter output, PkiMessage message, RSA key, X509Certificate2? recipient)
    {
        if (message.Envelope is not { } envelope)
        {
            output.WriteLine("content        (no envelope to decrypt)");
            return;
        }

        recipient ??= SyntheticRecipient(envelope, key);
        if (recipient is null)
        {
            output.WriteLine("content        the envelope names no key-transport recipient; give --cert");
            return;
        }

        PkiMessageContent content;
        try
        {
            content = message.Decrypt(recipient, key, ScepAlgorithmPolicy.Legacy);
        }
        catch (ScepException e)
        {
            output.WriteLine($"content        NOT DECRYPTED ({e.Reason}): {e.Message}");
            return;
        }

        output.WriteLine($"content        decrypted, {content.RawData.Length} bytes");
        if (content.CertificationRequest is { } csr)
        {
            output.WriteLine("  PKCS#10");
            output.WriteLine($"  subject      {csr.Subject.Name}");
            output.WriteLine($"  key          {Format.KeyDescription(csr.PublicKey)}");
            output.WriteLine($"  challenge    {(csr.ChallengePassword is { } password ? $"{password} ({csr.ChallengePasswordEncoding})" : "(absent)")}");
            foreach (var extension in csr.RequestedExtensions)
            {
                output.WriteLine($"  extension    {extension.Oid?.FriendlyName ?? extension.Oid?.Value}: {extension.Format(multiLine: false)}");
            }

            if (csr.UnstructuredName is { } unstructuredName)
            {
                output.WriteLine($"  unstructuredName    {unstructuredName}");
            }

            if (csr.UnstructuredAddress is { } unstructuredAddress)
            {
                output.WriteLine($"  unstructuredAddress {unstructuredAddress}");
            }

            try
            {
                csr.VerifyProofOfPossession();
                output.WriteLine($"  signature    valid ({csr.SignatureAlgorithmOid}{OidName(csr.SignatureAlgorithmOid)})");
            }
            catch (ScepException e)
            {
                output.WriteLine($"  signature    INVALID: {e.Message}");
            }
        }

        if (content.IssuerAndSubject is { } issuerAndSubject)
        {
            output.WriteLine($"  IssuerAndSubject     issuer {issuerAndSubject.Issuer.Name}, subject {issuerAndSubject.Subject.Name}");
        }

        if (content.IssuerAndSerialNumber is { } issuerAndSerial)
        {
            output.WriteLine($"  IssuerAndSerialNumber issuer {issuerAndSerial.Issuer.Name}, serial {issuerAndSerial.SerialNumberHex}");
        }

        if (content.CertificateSet is { } set)
        {
            output.WriteLine($"  certificates {set.Certificates.Count}");
            foreach (var certificate in set.Certificates)
            {
                foreach (var line in Format.Certificate(certificate, "    "))
                {
                    output.WriteLine(line);
                }
            }

            foreach (var crl in set.Crls)
            {
                var summary = CrlSummary.TryRead(crl);
                output.WriteLine(summary is null
                    ? $"  CRL          {crl.Length} bytes"
                    : $"  CRL          issuer {summary.Issuer}, thisUpdate {Format.Time(summary.ThisUpdate)}, {summary.Entries.ToString(CultureInfo.InvariantCulture)} revoked");
            }
        }
    }

    /// <summary>A certificate over <paramref name="key"/> that names the envelope's recipient, so the codec can match it.</summary>
    private static X509Certificate2? SyntheticRecipient(PkiEnvelope envelope, RSA key)
    {
        var recipient = envelope.Recipients.FirstOrDefault(r => r.Type == RecipientInfoType.KeyTransport);
        if (recipient is null)
        {
            return null;
        }

        var request = new CertificateRequest("CN=recipient", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var notBefore = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (recipient.IssuerAndSerialNumber is { } id)
        {
            using var issued = request.Create(id.Issuer, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(100), id.SerialNumber.Span);
            return X509CertificateLoader.LoadCertificate(issued.RawData);
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(recipient.SubjectKeyIdentifier.Span, false));
        using var selfSigned = request.CreateSelfSigned(notBefore, notBefore.AddYears(100));
        return X509CertificateLoader.LoadCertificate(selfSigned.RawData);
    }

    private static int PrintOther(TextWriter output, byte[] der, string form, List<X509Certificate2> candidates)
    {
        try
        {
            var certificates = CaCertificates.Decode(der);
            output.WriteLine($"GetCACert reply {der.Length} bytes, {form}: {certificates.ContentType}, {certificates.Certificates.Count} certificate(s)");
            foreach (var certificate in certificates.Certificates)
            {
                foreach (var line in Format.Certificate(certificate, "  "))
                {
                    output.WriteLine(line);
                }
            }

            return ExitCodes.Success;
        }
        catch (ScepException)
        {
        }

        try
        {
            var next = NextCaCertificates.Decode(der);
            output.WriteLine($"GetNextCACert reply {der.Length} bytes, {form}: {next.Next.Certificates.Count} next certificate(s)");
            if (candidates.Count > 0)
            {
                try
                {
                    output.WriteLine($"signature      valid (verified with {next.VerifySignature(candidates, ScepAlgorithmPolicy.Legacy).Subject})");
                }
                catch (ScepException e)
                {
                    output.WriteLine($"signature      NOT VERIFIED: {e.Message}");
                }
            }
            else
            {
                output.WriteLine("signature      not checked; give the current CA certificate with --ca");
            }

            foreach (var certificate in next.Next.Certificates)
            {
                foreach (var line in Format.Certificate(certificate, "  "))
                {
                    output.WriteLine(line);
                }
            }

            return ExitCodes.Success;
        }
        catch (ScepException)
        {
        }

        try
        {
            var csr = Pkcs10Request.Decode(der);
            output.WriteLine($"PKCS#10 request {der.Length} bytes, {form}: subject {csr.Subject.Name}, key {Format.KeyDescription(csr.PublicKey)}, challengePassword {(csr.ChallengePassword is null ? "absent" : "present")}");
            return ExitCodes.Success;
        }
        catch (ScepException)
        {
        }

        var reason = PkiMessage.TryDecode(der, out _, out _) ? "data follows the message" : DecodeError(der);
        throw new CliUsageException($"not a SCEP message: {reason}");
    }

    private static string DecodeError(byte[] der)
    {
        try
        {
            PkiMessage.Decode(der);
            return "unknown";
        }
        catch (ScepException e)
        {
            return e.Message;
        }
    }

    private static string Nonce(ReadOnlyMemory<byte> nonce) =>
        nonce.IsEmpty ? "(absent)" : $"{Convert.ToHexString(nonce.Span)} ({nonce.Length} bytes)";

    private static string OidName(string oid) => Oid.FromOidValue(oid, OidGroup.All) is { FriendlyName: { } name } ? $" ({name})" : string.Empty;
}
