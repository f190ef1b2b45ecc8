using System;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>Which of a CA's certificates (current, next, previous) a GetCert or GetCRL names, or issued a certificate.</summary>
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

    /// <summary>
    /// The next CA when the certificate's issuer is the next CA's subject, otherwise the current credentials. When both
    /// CA certificates have the same subject (a rollover that keeps the name) the authority key identifier decides.
    /// </summary>
    public static ScepCaCredentials IssuerOfCertificate(ReadOnlyMemory<byte> certificate, ScepCaCredentials credentials)
    {
        if (credentials.Next is not { } next || IssuerName(certificate) is not { } issuer || !issuer.Span.SequenceEqual(next.CaCertificate.SubjectName.RawData))
        {
            return credentials;
        }

        if (!issuer.Span.SequenceEqual(credentials.CaCertificate.SubjectName.RawData))
        {
            return next;
        }

        // Same names: rare, so the certificate is loaded for its authority key identifier.
        var keyId = X509CertificateLoader.LoadCertificate(certificate.Span).Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        var nextKeyId = next.CaCertificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        return keyId is { } id && nextKeyId is { } nextId && id.Span.SequenceEqual(nextId.Span) ? next : credentials;
    }

    /// <summary>The issuer Name of a DER certificate (RFC 5280 §4.1: tbsCertificate's field after the optional version, serialNumber and signature), or null when unreadable.</summary>
    private static ReadOnlyMemory<byte>? IssuerName(ReadOnlyMemory<byte> certificate)
    {
        try
        {
            var reader = new AsnReader(certificate, AsnEncodingRules.DER);
            var tbs = reader.ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadEncodedValue();
            }

            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadEncodedValue(); // signature
            return tbs.ReadEncodedValue();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
