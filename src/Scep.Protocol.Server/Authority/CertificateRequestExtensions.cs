using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>
/// Certificate issuance for <see cref="IEnrollmentAuthority"/> implementations that answer with
/// <see cref="EnrollmentDecision.Issued(ReadOnlyMemory{byte})"/>: the certificate <see cref="CertificateRequest.Create(X500DistinguishedName, X509SignatureGenerator, DateTimeOffset, DateTimeOffset, byte[])"/>
/// would make, as DER, without loading it into the platform (on OpenSSL 3.0 that load costs about a quarter of the
/// RSA-2048 signature that made the certificate).
/// </summary>
public static class CertificateRequestExtensions
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context3 = new(TagClass.ContextSpecific, 3, isConstructed: true);
    private static readonly DateTimeOffset UtcTimeFrom = new(1950, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset UtcTimeUntil = new(2050, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Signs a v3 certificate (RFC 5280 §4.1) for the request's subject, public key and extensions and returns its DER.
    /// The encoding is the one <see cref="CertificateRequest.Create(X500DistinguishedName, X509SignatureGenerator, DateTimeOffset, DateTimeOffset, byte[])"/>
    /// produces: times to the second, UTCTime from 1950 to 2049 and GeneralizedTime outside, the serial number as an
    /// unsigned big-endian integer, a critical flag only where it is set.
    /// </summary>
    /// <param name="request">Subject, public key, hash algorithm and extensions of the certificate.</param>
    /// <param name="issuerName">The issuer's distinguished name (the CA certificate's subject).</param>
    /// <param name="generator">Signs with the CA's key.</param>
    /// <param name="notBefore">Start of validity.</param>
    /// <param name="notAfter">End of validity.</param>
    /// <param name="serialNumber">The serial number, unsigned big-endian, at least one octet.</param>
    /// <returns>The DER-encoded certificate.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="notAfter"/> is before <paramref name="notBefore"/>, or <paramref name="serialNumber"/> is empty.
    /// </exception>
    /// <exception cref="InvalidOperationException">Two extensions have the same OID.</exception>
    public static byte[] CreateEncoded(
        this CertificateRequest request,
        X500DistinguishedName issuerName,
        X509SignatureGenerator generator,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        ReadOnlySpan<byte> serialNumber)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(issuerName);
        ArgumentNullException.ThrowIfNull(generator);
        if (notAfter < notBefore)
        {
            throw new ArgumentException("notAfter is earlier than notBefore.", nameof(notAfter));
        }

        if (serialNumber.IsEmpty)
        {
            throw new ArgumentException("A serial number needs at least one octet.", nameof(serialNumber));
        }

        var signatureAlgorithm = generator.GetSignatureAlgorithmIdentifier(request.HashAlgorithm);
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        tbs.PushSequence();
        tbs.PushSequence(Context0);
        tbs.WriteInteger(2);
        tbs.PopSequence(Context0);
        tbs.WriteIntegerUnsigned(TrimLeadingZeros(serialNumber));
        tbs.WriteEncodedValue(signatureAlgorithm);
        tbs.WriteEncodedValue(issuerName.RawData);
        tbs.PushSequence();
        WriteTime(tbs, notBefore);
        WriteTime(tbs, notAfter);
        tbs.PopSequence();
        tbs.WriteEncodedValue(request.SubjectName.RawData);
        tbs.WriteEncodedValue(request.PublicKey.ExportSubjectPublicKeyInfo());
        if (request.CertificateExtensions.Count > 0)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            tbs.PushSequence(Context3);
            tbs.PushSequence();
            foreach (var extension in request.CertificateExtensions)
            {
                var oid = extension.Oid?.Value ?? throw new InvalidOperationException("An extension has no OID.");
                if (!seen.Add(oid))
                {
                    throw new InvalidOperationException($"The extension {oid} is present more than once.");
                }

                tbs.PushSequence();
                tbs.WriteObjectIdentifier(oid);
                if (extension.Critical)
                {
                    tbs.WriteBoolean(true);
                }

                tbs.WriteOctetString(extension.RawData);
                tbs.PopSequence();
            }

            tbs.PopSequence();
            tbs.PopSequence(Context3);
        }

        tbs.PopSequence();
        var tbsEncoded = tbs.Encode();
        var signature = generator.SignData(tbsEncoded, request.HashAlgorithm);

        var certificate = new AsnWriter(AsnEncodingRules.DER);
        certificate.PushSequence();
        certificate.WriteEncodedValue(tbsEncoded);
        certificate.WriteEncodedValue(signatureAlgorithm);
        certificate.WriteBitString(signature);
        certificate.PopSequence();
        return certificate.Encode();
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && value[0] == 0)
        {
            value = value[1..];
        }

        return value;
    }

    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var seconds = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        if (seconds >= UtcTimeFrom && seconds < UtcTimeUntil)
        {
            writer.WriteUtcTime(seconds);
        }
        else
        {
            writer.WriteGeneralizedTime(seconds, omitFractionalSeconds: true);
        }
    }
}
