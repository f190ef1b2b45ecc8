using System;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>
/// The few fields of a DER certificate (RFC 5280 §4.1) the codecs need before, or instead of, loading an
/// <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2"/>: issuer, serial number,
/// subject, SubjectPublicKeyInfo and subject key identifier. Reading them is a few microseconds; loading a
/// certificate into the platform costs far more on OpenSSL 3.0.
/// </summary>
internal sealed class CertificateDer
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag Context3 = new(TagClass.ContextSpecific, 3, isConstructed: true);

    private CertificateDer(ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> serial, ReadOnlyMemory<byte> issuer, ReadOnlyMemory<byte> subject, ReadOnlyMemory<byte> spki, ReadOnlyMemory<byte>? ski)
    {
        Raw = raw;
        SerialNumber = serial;
        Issuer = issuer;
        Subject = subject;
        SubjectPublicKeyInfo = spki;
        SubjectKeyIdentifier = ski;
    }

    public ReadOnlyMemory<byte> Raw { get; }

    public ReadOnlyMemory<byte> SerialNumber { get; }

    public ReadOnlyMemory<byte> Issuer { get; }

    public ReadOnlyMemory<byte> Subject { get; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    public ReadOnlyMemory<byte>? SubjectKeyIdentifier { get; }

    /// <summary>Reads the fields, or returns null when the bytes are not a certificate these fields can be read from.</summary>
    public static CertificateDer? TryParse(ReadOnlyMemory<byte> raw)
    {
        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.BER);
            var certificate = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var tbs = certificate.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Context0))
            {
                tbs.ReadEncodedValue();
            }

            var serial = tbs.ReadIntegerBytes();
            tbs.ReadEncodedValue(); // signature
            var issuer = tbs.ReadEncodedValue();
            tbs.ReadEncodedValue(); // validity
            var subject = tbs.ReadEncodedValue();
            var spki = tbs.ReadEncodedValue();
            ReadOnlyMemory<byte>? ski = null;
            while (tbs.HasData)
            {
                var tag = tbs.PeekTag();
                if (tag.HasSameClassAndValue(Context1) || tag.HasSameClassAndValue(Context2))
                {
                    tbs.ReadEncodedValue();
                    continue;
                }

                var extensions = tbs.ReadSequence(Context3).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        extension.ReadBoolean();
                    }

                    var value = extension.ReadOctetString();
                    if (oid == ScepOids.SubjectKeyIdentifier)
                    {
                        ski = new AsnReader(value, AsnEncodingRules.BER).ReadOctetString();
                    }
                }
            }

            return new CertificateDer(raw, serial, issuer, subject, spki, ski);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
