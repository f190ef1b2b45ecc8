using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>A SignerInfo (RFC 5652 §5.3) read from BER or DER.</summary>
internal sealed class SignerInfoAsn
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1);

    /// <summary>sid as issuerAndSerialNumber, or null when the subjectKeyIdentifier form is used.</summary>
    public IssuerAndSerialNumber? IssuerAndSerialNumber { get; private init; }

    /// <summary>sid as subjectKeyIdentifier, or null.</summary>
    public ReadOnlyMemory<byte>? SubjectKeyIdentifier { get; private init; }

    public required AlgorithmIdentifier DigestAlgorithm { get; init; }

    /// <summary>The signedAttrs exactly as received, including their [0] tag, or null if absent.</summary>
    public ReadOnlyMemory<byte>? SignedAttributesEncoded { get; private init; }

    public required IReadOnlyList<CmsAttribute> SignedAttributes { get; init; }

    public required AlgorithmIdentifier SignatureAlgorithm { get; init; }

    public required ReadOnlyMemory<byte> Signature { get; init; }

    public static SignerInfoAsn Read(AsnReader reader)
    {
        var sequence = reader.ReadSequence();
        if (!sequence.TryReadInt32(out var version) || version < 0 || version > 3)
        {
            throw new ScepException(ScepError.Malformed, "SignerInfo has an invalid version.");
        }

        IssuerAndSerialNumber? issuerAndSerial = null;
        ReadOnlyMemory<byte>? ski = null;
        var sidTag = sequence.PeekTag();
        if (sidTag.HasSameClassAndValue(Context0))
        {
            ski = sequence.ReadOctetString(Context0);
        }
        else
        {
            issuerAndSerial = Protocol.IssuerAndSerialNumber.Read(sequence);
        }

        var digest = AlgorithmIdentifier.Read(sequence);
        ReadOnlyMemory<byte>? signedAttributesEncoded = null;
        var attributes = new List<CmsAttribute>();
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Context0))
        {
            signedAttributesEncoded = sequence.PeekEncodedValue();
            var set = sequence.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context0);
            while (set.HasData)
            {
                if (attributes.Count == Limits.MaxSignedAttributes)
                {
                    throw new ScepException(ScepError.LimitExceeded, $"SignerInfo has more than {Limits.MaxSignedAttributes} signed attributes.");
                }

                attributes.Add(CmsAttribute.Read(set));
            }
        }

        var signatureAlgorithm = AlgorithmIdentifier.Read(sequence);
        var signature = sequence.TryReadPrimitiveOctetString(out var primitive) ? primitive : sequence.ReadOctetString();
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Context1))
        {
            sequence.ReadEncodedValue(); // unsignedAttrs: not used by SCEP
        }

        sequence.ThrowIfNotEmpty();
        return new SignerInfoAsn
        {
            IssuerAndSerialNumber = issuerAndSerial,
            SubjectKeyIdentifier = ski,
            DigestAlgorithm = digest,
            SignedAttributesEncoded = signedAttributesEncoded,
            SignedAttributes = attributes,
            SignatureAlgorithm = signatureAlgorithm,
            Signature = signature,
        };
    }

    /// <summary>
    /// The bytes the signature covers: the signed attributes re-tagged as a universal SET (RFC 5652 §5.4).
    /// A definite-length encoding only changes its first byte; an indefinite one is re-encoded as DER.
    /// </summary>
    public byte[] SignedAttributesForSignature()
    {
        var encoded = SignedAttributesEncoded!.Value.Span;
        if (encoded.Length > 1 && encoded[1] != 0x80)
        {
            var copy = encoded.ToArray();
            copy[0] = 0x31;
            return copy;
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSetOf();
        foreach (var attribute in SignedAttributes)
        {
            writer.PushSequence();
            writer.WriteObjectIdentifier(attribute.Oid);
            writer.PushSetOf();
            foreach (var value in attribute.Values)
            {
                writer.WriteEncodedValue(value.Span);
            }

            writer.PopSetOf();
            writer.PopSequence();
        }

        writer.PopSetOf();
        return writer.Encode();
    }

    /// <summary>Whether this SignerInfo names <paramref name="certificate"/> as its signer.</summary>
    public bool Identifies(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        if (IssuerAndSerialNumber is { } issuerAndSerial)
        {
            return issuerAndSerial.Matches(certificate);
        }

        return SubjectKeyIdentifier is { } ski && CertificateFacts.SubjectKeyIdentifierEquals(certificate, ski.Span);
    }

    /// <summary>Whether this SignerInfo names the certificate <paramref name="certificate"/> (read from its DER) as its signer.</summary>
    public bool Identifies(CertificateDer certificate)
    {
        if (IssuerAndSerialNumber is { } issuerAndSerial)
        {
            return CertificateFacts.SerialEquals(issuerAndSerial.SerialNumber.Span, certificate.SerialNumber.Span)
                && CertificateFacts.NameEquals(issuerAndSerial.IssuerRawData.Span, certificate.Issuer.Span);
        }

        return SubjectKeyIdentifier is { } ski && certificate.SubjectKeyIdentifier is { } own && own.Span.SequenceEqual(ski.Span);
    }
}
