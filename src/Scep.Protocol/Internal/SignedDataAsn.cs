using System;
using System.Collections.Generic;
using System.Formats.Asn1;

namespace Scep.Protocol.Internal;

/// <summary>A CMS SignedData (RFC 5652 §5) read from BER or DER, keeping every part as a slice of the input.</summary>
internal sealed class SignedDataAsn
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);

    public required string EContentType { get; init; }

    /// <summary>The encapsulated content octets, or null when eContent is absent.</summary>
    public ReadOnlyMemory<byte>? EContent { get; init; }

    /// <summary>
    /// Set when eContent was written in the old PKCS#7 form (the content's own encoding instead of an
    /// OCTET STRING): then <see cref="EContent"/> is that whole encoding and this is its contents octets,
    /// which RFC 2315 §9.3 digests.
    /// </summary>
    public ReadOnlyMemory<byte>? LegacyContentOctets { get; init; }

    public required IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; init; }

    public required IReadOnlyList<ReadOnlyMemory<byte>> Crls { get; init; }

    public required IReadOnlyList<SignerInfoAsn> SignerInfos { get; init; }

    /// <summary>Reads a ContentInfo holding a SignedData.</summary>
    /// <exception cref="ScepException">Not a SignedData, or malformed.</exception>
    public static SignedDataAsn DecodeContentInfo(ReadOnlyMemory<byte> encoded, out int bytesConsumed)
    {
        try
        {
            if (!AsnDecoder.TryReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out _, out _, out _, out bytesConsumed))
            {
                throw new ScepException(ScepError.Malformed, "The message is not a complete BER/DER structure.");
            }

            BerValue.EnsureNestingWithinLimit(encoded.Span[..bytesConsumed]);
            var reader = new AsnReader(encoded[..bytesConsumed], AsnEncodingRules.BER);
            var contentInfo = reader.ReadSequence();
            var contentType = contentInfo.ReadObjectIdentifier();
            if (contentType != ScepOids.SignedData)
            {
                throw new ScepException(ScepError.NotPkiMessage, $"The ContentInfo holds {contentType}, not signedData.");
            }

            var explicitContent = contentInfo.ReadSequence(Context0);
            var result = Read(explicitContent.ReadSequence());
            explicitContent.ThrowIfNotEmpty();
            return result;
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.Malformed, "The message is not a well-formed CMS SignedData: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new ScepException(ScepError.Malformed, "The message is not a well-formed CMS SignedData: " + e.Message, e);
        }
    }

    private static SignedDataAsn Read(AsnReader signedData)
    {
        if (!signedData.TryReadInt32(out var version) || version < 0 || version > 5)
        {
            throw new ScepException(ScepError.Malformed, "SignedData has an invalid version.");
        }

        var digestAlgorithms = signedData.ReadSetOf(skipSortOrderValidation: true);
        var count = 0;
        while (digestAlgorithms.HasData)
        {
            if (++count > Limits.MaxSignersOrRecipients)
            {
                throw new ScepException(ScepError.LimitExceeded, "SignedData lists too many digest algorithms.");
            }

            AlgorithmIdentifier.Read(digestAlgorithms);
        }

        var encapsulated = signedData.ReadSequence();
        var eContentType = encapsulated.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? eContent = null;
        ReadOnlyMemory<byte>? legacyOctets = null;
        if (encapsulated.HasData)
        {
            var explicitContent = encapsulated.ReadSequence(Context0);
            var tag = explicitContent.PeekTag();
            if (tag.TagClass == TagClass.Universal && tag.TagValue == (int)UniversalTagNumber.OctetString)
            {
                eContent = explicitContent.TryReadPrimitiveOctetString(out var primitive)
                    ? primitive
                    : explicitContent.ReadOctetString();
            }
            else
            {
                // Old PKCS#7 form (RFC 2315 §7): the content type's own encoding sits directly in [0].
                var encodedValue = explicitContent.ReadEncodedValue();
                eContent = encodedValue;
                legacyOctets = ContentOctets(encodedValue);
            }

            explicitContent.ThrowIfNotEmpty();
        }

        encapsulated.ThrowIfNotEmpty();

        var certificates = new List<ReadOnlyMemory<byte>>();
        if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(Context0))
        {
            var set = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context0);
            var entries = 0;
            while (set.HasData)
            {
                // Every CertificateChoices entry counts, so skipped attribute certificates cannot be sent by the thousand.
                if (++entries > Limits.MaxCertificates)
                {
                    throw new ScepException(ScepError.LimitExceeded, $"SignedData carries more than {Limits.MaxCertificates} certificates.");
                }

                var tag = set.PeekTag();
                var value = set.ReadEncodedValue();
                if (tag.TagClass == TagClass.Universal && tag.TagValue == (int)UniversalTagNumber.Sequence)
                {
                    certificates.Add(value);
                }
            }
        }

        var crls = new List<ReadOnlyMemory<byte>>();
        if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(Context1))
        {
            var set = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context1);
            while (set.HasData)
            {
                if (crls.Count == Limits.MaxCrls)
                {
                    throw new ScepException(ScepError.LimitExceeded, $"SignedData carries more than {Limits.MaxCrls} CRLs.");
                }

                crls.Add(set.ReadEncodedValue());
            }
        }

        var signerInfos = new List<SignerInfoAsn>(1);
        var signers = signedData.ReadSetOf(skipSortOrderValidation: true);
        while (signers.HasData)
        {
            if (signerInfos.Count == Limits.MaxSignersOrRecipients)
            {
                throw new ScepException(ScepError.LimitExceeded, "SignedData has too many signers.");
            }

            signerInfos.Add(SignerInfoAsn.Read(signers));
        }

        signedData.ThrowIfNotEmpty();
        return new SignedDataAsn
        {
            EContentType = eContentType,
            EContent = eContent,
            LegacyContentOctets = legacyOctets,
            Certificates = certificates,
            Crls = crls,
            SignerInfos = signerInfos,
        };
    }

    /// <summary>The contents octets of a definite-length encoding (identifier and length octets removed).</summary>
    internal static ReadOnlyMemory<byte>? ContentOctets(ReadOnlyMemory<byte> encoded)
    {
        if (!AsnDecoder.TryReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out _, out var contentOffset, out var contentLength, out _))
        {
            return null;
        }

        return encoded.Slice(contentOffset, contentLength);
    }
}
