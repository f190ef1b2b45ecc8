using System.Security.Cryptography;

namespace Scep.Protocol.Server;

/// <summary>
/// Pending requests are kept as the client sent them, still enveloped to the CA; a CertPoll opens one again with the key of
/// the CA it was enveloped to (to validate it again, or for the CSR of the event that reports its issue).
/// </summary>
internal static class PendingRequests
{
    /// <summary>The kept request, ready for the enrollment rules; null when it can no longer be opened (the CA's keys changed).</summary>
    public static EnrollmentRequest? Open(Exchange poll, ScepTransaction record)
    {
        if (record.PendingRequest is not { } stored)
        {
            return null;
        }

        try
        {
            var message = PkiMessage.Decode(stored);
            var envelope = message.Envelope;
            var issuer = envelope?.FindRecipientCertificate([poll.Credentials.DecryptionCertificate]) is not null
                ? poll.Credentials
                : poll.Credentials.Next is { } next && envelope?.FindRecipientCertificate([next.DecryptionCertificate]) is not null ? next : null;
            if (issuer is null)
            {
                return null;
            }

            var csr = message.Decrypt(issuer.DecryptionCertificate, issuer.DecryptionKey, poll.Alias.Policy).CertificationRequest;
            return csr is null ? null : new EnrollmentRequest(message, csr, EnrollmentKind.InitialEnrollment, null, record.RequesterKeyId, csr.CommonName, issuer);
        }
        catch (ScepException)
        {
            return null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
