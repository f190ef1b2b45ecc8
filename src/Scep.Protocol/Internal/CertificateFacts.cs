using System;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Internal;

/// <summary>Small facts about certificates that the SCEP rules depend on.</summary>
internal static class CertificateFacts
{
    /// <exception cref="ScepException">The basicConstraints extension cannot be read (<see cref="ScepError.Malformed"/>).</exception>
    public static bool IsCertificateAuthority(X509Certificate2 certificate)
    {
        try
        {
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509BasicConstraintsExtension basic)
                {
                    return basic.CertificateAuthority;
                }
            }

            return false;
        }
        catch (CryptographicException e)
        {
            throw Unreadable(certificate, "basicConstraints", e);
        }
    }

    /// <summary>The key usage flags, or null when the certificate has no keyUsage extension (all usages allowed).</summary>
    /// <exception cref="ScepException">The keyUsage extension cannot be read (<see cref="ScepError.Malformed"/>).</exception>
    public static X509KeyUsageFlags? KeyUsage(X509Certificate2 certificate)
    {
        try
        {
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509KeyUsageExtension usage)
                {
                    return usage.KeyUsages;
                }
            }

            return null;
        }
        catch (CryptographicException e)
        {
            throw Unreadable(certificate, "keyUsage", e);
        }
    }

    // X509Certificate2 decodes extensions only when they are read, so a certificate that loaded can still
    // fail here (CryptographicException) when it came from the network.
    private static ScepException Unreadable(X509Certificate2 certificate, string extension, CryptographicException e) =>
        new(ScepError.Malformed, $"The {extension} extension of certificate '{certificate.Subject}' cannot be read: {e.Message}", e);

    public static bool Allows(X509Certificate2 certificate, X509KeyUsageFlags flag) =>
        KeyUsage(certificate) is not { } usage || (usage & flag) != 0;

    public static bool HasExplicitUsage(X509Certificate2 certificate, X509KeyUsageFlags flag) =>
        KeyUsage(certificate) is { } usage && (usage & flag) != 0;

    public static bool IsRsa(X509Certificate2 certificate) => certificate.PublicKey.Oid.Value == ScepOids.RsaEncryption;

    /// <summary>Whether the certificate's subjectKeyIdentifier extension holds <paramref name="identifier"/>; an unreadable extension matches nothing.</summary>
    public static bool SubjectKeyIdentifierEquals(X509Certificate2 certificate, ReadOnlySpan<byte> identifier)
    {
        try
        {
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509SubjectKeyIdentifierExtension ski)
                {
                    return ski.SubjectKeyIdentifierBytes.Span.SequenceEqual(identifier);
                }
            }
        }
        catch (CryptographicException)
        {
        }

        return false;
    }

    /// <summary>Names compare by their DER bytes; where encodings differ (PrintableString vs UTF8String), by their text.</summary>
    public static bool NameEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.SequenceEqual(right))
        {
            return true;
        }

        try
        {
            var a = new X500DistinguishedName(left);
            var b = new X500DistinguishedName(right);
            return string.Equals(
                a.Format(multiLine: false),
                b.Format(multiLine: false),
                StringComparison.OrdinalIgnoreCase);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>INTEGER contents compare after dropping redundant leading zero octets.</summary>
    public static bool SerialEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        TrimLeadingZeros(left).SequenceEqual(TrimLeadingZeros(right));

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && value[0] == 0)
        {
            value = value[1..];
        }

        return value;
    }

    /// <summary>The DER SubjectPublicKeyInfo of the certificate, read from its encoding (no key import).</summary>
    public static ReadOnlyMemory<byte> SubjectPublicKeyInfo(X509Certificate2 certificate) =>
        CertificateDer.TryParse(certificate.RawDataMemory)?.SubjectPublicKeyInfo ?? certificate.PublicKey.ExportSubjectPublicKeyInfo();

    /// <summary>Whether <paramref name="issuer"/> issued <paramref name="certificate"/>: names chain and the signature verifies.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 issuer) =>
        IsIssuedBy(certificate.RawDataMemory, certificate.IssuerName.RawData, issuer);

    /// <summary>The same check for a certificate given as DER with its issuer name, without loading it.</summary>
    public static bool IsIssuedBy(ReadOnlyMemory<byte> certificate, ReadOnlySpan<byte> certificateIssuer, X509Certificate2 issuer) =>
        NameEquals(certificateIssuer, issuer.SubjectName.RawData)
        && Signatures.SignedStructureVerifies(certificate, SubjectPublicKeyInfo(issuer).Span);

    public static X509Certificate2 Load(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(encoded.Span);
        }
        catch (CryptographicException e)
        {
            throw new ScepException(ScepError.Malformed, "A certificate in the message cannot be read: " + e.Message, e);
        }
    }

    /// <summary>The certificate, or null when it cannot be read.</summary>
    public static X509Certificate2? TryLoad(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(encoded.Span);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Reads a DER INTEGER's content octets as they are.</summary>
    public static ReadOnlyMemory<byte> ReadIntegerBytes(AsnReader reader) => reader.ReadIntegerBytes();
}
