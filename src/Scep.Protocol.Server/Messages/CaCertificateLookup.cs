using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>Which of a CA's certificates a GetCert or GetCRL names.</summary>
internal static class CaCertificateLookup
{
    /// <summary>
    /// The CA certificate (current, next, or previous) whose subject is <paramref name="id"/>'s issuer, with the credentials
    /// it belongs to (a previous CA's are the current ones). GetCRL answers with that CA's CRL and GetCert with that CA's
    /// certificate: after a rollover the current CA's would not match the certificate's issuer.
    /// </summary>
    public static (ScepCaCredentials Credentials, X509Certificate2 CaCertificate)? IssuerOf(ScepCaCredentials credentials, IssuerAndSerialNumber id)
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
}
