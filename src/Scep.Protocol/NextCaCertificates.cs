using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// The GetNextCACert reply (RFC 8894 §4.7): a SignedData signed with the current CA (or RA) key whose content
/// is a certificates-only SignedData of the next CA (and RA) certificates. jscep's shape (the new certificates
/// in the outer certificates field, no content) is read too.
/// </summary>
public sealed class NextCaCertificates
{
    private readonly SignedDataAsn _signedData;
    private readonly SignerInfoAsn _signer;

    private NextCaCertificates(ReadOnlyMemory<byte> encoded, SignedDataAsn signedData, SignerInfoAsn signer, CaCertificates next)
    {
        RawData = encoded;
        _signedData = signedData;
        _signer = signer;
        Next = next;
    }

    /// <summary>The reply body.</summary>
    public ReadOnlyMemory<byte> RawData { get; }

    /// <summary>The next CA (and RA) certificates, with the same selection rules as GetCACert. Trust them only after <see cref="VerifySignature"/>.</summary>
    public CaCertificates Next { get; }

    /// <summary>Builds the reply, signed with the current CA or RA key.</summary>
    /// <param name="nextCertificates">The next CA certificate, and next RA certificates if any.</param>
    /// <param name="signerCertificate">The current CA (or RA) certificate.</param>
    /// <param name="signerKey">Its private key.</param>
    /// <param name="digestAlgorithm">The digest.</param>
    /// <param name="signingTime">The server's time.</param>
    /// <returns>The reply.</returns>
    public static NextCaCertificates Create(IEnumerable<X509Certificate2> nextCertificates, X509Certificate2 signerCertificate, AsymmetricAlgorithm signerKey, HashAlgorithmName digestAlgorithm, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(nextCertificates);
        ArgumentNullException.ThrowIfNull(signerCertificate);
        ArgumentNullException.ThrowIfNull(signerKey);
        var inner = DegenerateCertificateSet.Create(nextCertificates);
        var encoded = SignedDataWriter.WriteSigned(inner.RawData.Span, hasContent: true, [signerCertificate], signerCertificate, signerKey, digestAlgorithm, signingTime, []);
        return Decode(encoded);
    }

    /// <summary>Decodes a GetNextCACert reply body. The signature is not checked; call <see cref="VerifySignature"/>.</summary>
    /// <param name="encoded">The body.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ScepException"><see cref="ScepError.Malformed"/> or <see cref="ScepError.NotPkiMessage"/>.</exception>
    public static NextCaCertificates Decode(ReadOnlyMemory<byte> encoded)
    {
        var copy = encoded.ToArray();
        var signedData = SignedDataAsn.DecodeContentInfo(copy, out var consumed);
        if (consumed != copy.Length)
        {
            throw new ScepException(ScepError.Malformed, $"{copy.Length - consumed} bytes follow the GetNextCACert reply.");
        }

        if (signedData.SignerInfos.Count != 1)
        {
            throw new ScepException(ScepError.NotPkiMessage, "A GetNextCACert reply has exactly one signer.");
        }

        var signer = signedData.SignerInfos[0];
        var outer = signedData.Certificates.Select(CertificateFacts.Load).ToList();
        CaCertificates next;
        if (signedData.EContent is { Length: > 0 } content)
        {
            next = CaCertificates.Decode(signedData.EContentType == ScepOids.SignedData ? AsContentInfo(content) : content);
        }
        else
        {
            // jscep: the next certificates travel in the outer set beside the signer's own certificate.
            var others = outer.Where(c => !signer.Identifies(c)).ToList();
            if (others.Count == 0)
            {
                throw new ScepException(ScepError.Malformed, "The GetNextCACert reply holds no next CA certificate.");
            }

            next = CaCertificates.Create(others);
        }

        return new NextCaCertificates(copy, signedData, signer, next);
    }

    /// <summary>
    /// With eContentType id-signedData, RFC 5652 §5.2 makes eContent the SignedData itself; wrap it in the ContentInfo
    /// the degenerate-set decoder reads. Peers that put a whole ContentInfo there are read as they are.
    /// </summary>
    private static ReadOnlyMemory<byte> AsContentInfo(ReadOnlyMemory<byte> content)
    {
        try
        {
            var sequence = new AsnReader(content, AsnEncodingRules.BER).ReadSequence();
            if (!sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                return content;
            }
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.Malformed, "The GetNextCACert content is not a SignedData: " + e.Message, e);
        }

        var writer = new AsnWriter(AsnEncodingRules.BER);
        writer.PushSequence();
        writer.WriteObjectIdentifier(ScepOids.SignedData);
        writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        writer.WriteEncodedValue(content.Span);
        writer.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        writer.PopSequence();
        return writer.Encode();
    }

    /// <summary>Verifies that a currently trusted CA or RA certificate signed the reply (RFC 8894 §4.7).</summary>
    /// <param name="currentCertificates">The current, already trusted GetCACert certificates.</param>
    /// <param name="policy">Which digests to accept; <see cref="ScepAlgorithmPolicy.Default"/> when null.</param>
    /// <returns>The certificate that verified the signature.</returns>
    /// <exception cref="ScepException">The signer is not among <paramref name="currentCertificates"/>, or the signature does not verify.</exception>
    public X509Certificate2 VerifySignature(IEnumerable<X509Certificate2> currentCertificates, ScepAlgorithmPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(currentCertificates);
        var signer = currentCertificates.FirstOrDefault(_signer.Identifies)
            ?? throw new ScepException(ScepError.SignerCertificateNotFound, "The GetNextCACert reply is not signed by a current CA or RA certificate.");
        SignedDataVerifier.Verify(_signedData, _signer, CertificateFacts.SubjectPublicKeyInfo(signer), policy ?? ScepAlgorithmPolicy.Default);
        return signer;
    }

    /// <summary>A copy of the reply body.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode() => RawData.ToArray();
}
