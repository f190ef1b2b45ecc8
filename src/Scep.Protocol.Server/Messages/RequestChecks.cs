namespace Scep.Protocol.Server;

/// <summary>
/// The stateless checks every PKIOperation request passes before a handler sees it (RFC 8894 §3; the reference's
/// §10.1 steps 5-13), in this order: signer and signature, digest and signature algorithms, signingTime, envelope
/// recipient, cipher, decryption, messageData. A failed check is a refusal; nothing is written before all pass.
/// </summary>
internal static class RequestChecks
{
    /// <summary>Runs the checks; on success the content is decrypted and the exchange knows its recipient CA and cipher.</summary>
    /// <exception cref="ScepException">The message cannot be read or fails a check (the caller makes it a refusal).</exception>
    public static PkiMessageContent Run(Exchange x)
    {
        var request = x.Request;
        // §3.2 / §3.2.1: signed attributes, messageDigest and the signature over them with the signer's key; the
        // digest and signature algorithms must be ones the alias accepts (badAlg otherwise).
        request.EnsureSignatureValid(x.Alias.Policy);

        // CMS signingTime, when present: devices without a clock turn this off (DeviceQuirks.NoRealTimeClock).
        if (x.Alias.Options.SigningTimeTolerance is { } tolerance)
        {
            request.EnsureSigningTimeWithin(x.Now, tolerance);
        }

        // §3.2.2: the pkcsPKIEnvelope must be addressed to our decryption certificate (or the next CA's).
        var envelope = request.Envelope
            ?? throw new ScepException(request.Content.IsEmpty ? ScepError.MissingContent : ScepError.MalformedEnvelope, "The request carries no readable pkcsPKIEnvelope.");
        if (envelope.FindRecipientCertificate([x.Recipient.DecryptionCertificate]) is null)
        {
            throw new ScepException(ScepError.RecipientNotFound, "The request is not encrypted to this CA's certificate.");
        }

        // §3.2.2 and §3.5.2: a cipher the alias accepts (and advertises); then the messageData for the messageType.
        var content = request.Decrypt(x.Recipient.DecryptionCertificate, x.Recipient.DecryptionKey, x.Alias.Policy);
        x.ContentEncryption = content.EncryptionAlgorithm;
        return content;
    }

    /// <summary>
    /// RFC 8894 §4.7: a client that has the next CA (GetNextCACert) envelopes its requests to it; that CA then signs every
    /// reply, refusals included, so that the client can verify them. Decided first, without failing, so that the checks keep
    /// their order and their failInfo.
    /// </summary>
    public static void ChooseRecipient(Exchange x) => x.Recipient = EnvelopedToNextCa(x) ? x.Credentials.Next! : x.Credentials;

    private static bool EnvelopedToNextCa(Exchange x) =>
        x.Credentials.Next is { } next
        && x.Request.Envelope is { } envelope
        && envelope.FindRecipientCertificate([x.Credentials.DecryptionCertificate]) is null
        && envelope.FindRecipientCertificate([next.DecryptionCertificate]) is not null;
}
