using System;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Scep.Protocol.Internal;

/// <summary>Verifies one SignerInfo of a SignedData (RFC 5652 §5.6).</summary>
internal static class SignedDataVerifier
{
    public static void Verify(SignedDataAsn signedData, SignerInfoAsn signer, ReadOnlyMemory<byte> signerSubjectPublicKeyInfo, ScepAlgorithmPolicy policy)
    {
        var digestOid = signer.DigestAlgorithm.Oid;
        var digest = Algorithms.DigestFromOid(digestOid)
            ?? throw new ScepException(ScepError.UnsupportedAlgorithm, $"Digest algorithm {digestOid} is not supported.");
        policy.EnsureDigestAllowed(digest);
        var (_, signatureHash) = Algorithms.SignatureFromOid(signer.SignatureAlgorithm.Oid);
        if (signatureHash is { } named && named != digest)
        {
            policy.EnsureDigestAllowed(named);
        }

        if (signer.SignedAttributesEncoded is null)
        {
            throw new ScepException(ScepError.MissingAttribute, "The signer has no signed attributes.");
        }

        ReadOnlyMemory<byte>? contentType = null;
        ReadOnlyMemory<byte>? messageDigest = null;
        foreach (var attribute in signer.SignedAttributes)
        {
            if (attribute.Values.Count != 1)
            {
                continue;
            }

            if (attribute.Oid == ScepOids.ContentType)
            {
                contentType = attribute.Values[0];
            }
            else if (attribute.Oid == ScepOids.MessageDigest)
            {
                messageDigest = attribute.Values[0];
            }
        }

        if (contentType is null || messageDigest is null)
        {
            throw new ScepException(ScepError.ContentDigestMismatch, "The contentType or messageDigest signed attribute is missing.");
        }

        byte[] expectedDigest;
        try
        {
            if (new AsnReader(contentType.Value, AsnEncodingRules.BER).ReadObjectIdentifier() != signedData.EContentType)
            {
                throw new ScepException(ScepError.ContentDigestMismatch, "The contentType attribute differs from the encapsulated content type.");
            }

            expectedDigest = new AsnReader(messageDigest.Value, AsnEncodingRules.BER).ReadOctetString();
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.ContentDigestMismatch, "The contentType or messageDigest attribute is malformed.", e);
        }

        var content = signedData.EContent ?? ReadOnlyMemory<byte>.Empty;
        var matches = CryptographicOperations.HashData(digest, content.Span).AsSpan().SequenceEqual(expectedDigest);
        if (!matches && signedData.LegacyContentOctets is { } legacy)
        {
            matches = CryptographicOperations.HashData(digest, legacy.Span).AsSpan().SequenceEqual(expectedDigest);
        }

        if (!matches)
        {
            throw new ScepException(ScepError.ContentDigestMismatch, "The messageDigest attribute does not match the content.");
        }

        var signedBytes = signer.SignedAttributesForSignature();
        if (!Signatures.VerifyData(signerSubjectPublicKeyInfo.Span, signer.SignatureAlgorithm, digest, signedBytes, signer.Signature.Span))
        {
            throw new ScepException(ScepError.SignatureInvalid, "The signature does not verify with the signer's certificate.");
        }
    }
}
