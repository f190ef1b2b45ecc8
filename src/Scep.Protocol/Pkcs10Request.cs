using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// A PKCS#10 certification request (RFC 2986) as SCEP carries it (RFC 8894 §3.3.1): subject, public key,
/// challengePassword in any DirectoryString form, requested extensions from both the PKCS#9 and the
/// legacy Microsoft attribute, and Cisco's unstructuredName / unstructuredAddress.
/// </summary>
public sealed class Pkcs10Request
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);

    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly ReadOnlyMemory<byte> _requestInfo;
    private readonly ReadOnlyMemory<byte> _subject;
    private readonly ReadOnlyMemory<byte> _subjectPublicKeyInfo;
    private readonly AlgorithmIdentifier _signatureAlgorithm;
    private readonly ReadOnlyMemory<byte> _signature;

    private Pkcs10Request(
        ReadOnlyMemory<byte> encoded,
        ReadOnlyMemory<byte> requestInfo,
        ReadOnlyMemory<byte> subject,
        ReadOnlyMemory<byte> subjectPublicKeyInfo,
        AlgorithmIdentifier signatureAlgorithm,
        ReadOnlyMemory<byte> signature)
    {
        _encoded = encoded;
        _requestInfo = requestInfo;
        _subject = subject;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
    }

    /// <summary>The DER encoding as received or built.</summary>
    public ReadOnlyMemory<byte> RawData => _encoded;

    /// <summary>The requested subject (a new instance on each call).</summary>
    public X500DistinguishedName Subject => new(_subject.Span);

    /// <summary>The first commonName of the subject, or null. In CA mode this is the end entity's username.</summary>
    public string? CommonName { get; private init; }

    /// <summary>The SubjectPublicKeyInfo, DER.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>The public key to certify.</summary>
    public PublicKey PublicKey => PublicKey.CreateFromSubjectPublicKeyInfo(_subjectPublicKeyInfo.Span, out _);

    /// <summary>The challengePassword attribute, or null when absent.</summary>
    public string? ChallengePassword { get; private init; }

    /// <summary>The string type the challengePassword was encoded with (PrintableString, UTF8String, ...), or null.</summary>
    public UniversalTagNumber? ChallengePasswordEncoding { get; private init; }

    /// <summary>
    /// The requested extensions, each OID once: those of extensionRequest (1.2.840.113549.1.9.14) first, then those
    /// only the Microsoft attribute (1.3.6.1.4.1.311.2.1.14) asks for. When an OID is requested twice, the first wins.
    /// </summary>
    public IReadOnlyList<X509Extension> RequestedExtensions { get; private init; } = [];

    /// <summary>unstructuredName (the device FQDN on Cisco), from the subject or from an attribute; null when absent.</summary>
    public string? UnstructuredName { get; private init; }

    /// <summary>unstructuredAddress (the device IP address on Cisco), from the subject or from an attribute; null when absent.</summary>
    public string? UnstructuredAddress { get; private init; }

    /// <summary>The OID of the request's signature algorithm.</summary>
    public string SignatureAlgorithmOid => _signatureAlgorithm.Oid;

    /// <summary>Decodes a DER or BER PKCS#10 request. The signature is not checked; call <see cref="VerifyProofOfPossession"/>.</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ScepException"><see cref="ScepError.MalformedContent"/>.</exception>
    public static Pkcs10Request Decode(ReadOnlyMemory<byte> encoded)
    {
        var copy = encoded.ToArray();
        try
        {
            BerValue.EnsureNestingWithinLimit(copy);
            var reader = new AsnReader(copy, AsnEncodingRules.BER);
            var request = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var requestInfoEncoded = request.PeekEncodedValue();
            var requestInfo = request.ReadSequence();
            var signatureAlgorithm = AlgorithmIdentifier.Read(request);
            var signature = request.ReadBitString(out var unusedBits);
            request.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                throw new ScepException(ScepError.MalformedContent, "The PKCS#10 signature has unused bits.");
            }

            if (!requestInfo.TryReadInt32(out var version) || version != 0)
            {
                throw new ScepException(ScepError.MalformedContent, "The PKCS#10 request has an unsupported version.");
            }

            var subject = requestInfo.ReadEncodedValue();
            IssuerAndSerialNumber.ValidateName(subject);
            var spki = requestInfo.ReadEncodedValue();
            PublicKey.CreateFromSubjectPublicKeyInfo(spki.Span, out _);

            string? password = null;
            UniversalTagNumber? passwordEncoding = null;
            string? unstructuredName = null;
            string? unstructuredAddress = null;
            var standardExtensions = new List<X509Extension>();
            var microsoftExtensions = new List<X509Extension>();
            if (requestInfo.HasData)
            {
                var attributes = requestInfo.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context0);
                var count = 0;
                while (attributes.HasData)
                {
                    if (++count > Limits.MaxRequestAttributes)
                    {
                        throw new ScepException(ScepError.LimitExceeded, "The PKCS#10 request has too many attributes.");
                    }

                    var attribute = CmsAttribute.Read(attributes);
                    if (attribute.Values.Count == 0)
                    {
                        continue;
                    }

                    switch (attribute.Oid)
                    {
                        case ScepOids.ChallengePassword:
                            if (password is not null || attribute.Values.Count != 1)
                            {
                                throw new ScepException(ScepError.MalformedContent, "The PKCS#10 request has more than one challengePassword.");
                            }

                            (password, passwordEncoding) = DirectoryString.Read(attribute.Values[0]);
                            break;
                        case ScepOids.ExtensionRequest:
                            ReadExtensions(attribute.Values[0], standardExtensions);
                            break;
                        case ScepOids.MicrosoftExtensionRequest:
                            ReadExtensions(attribute.Values[0], microsoftExtensions);
                            break;
                        case ScepOids.UnstructuredName:
                            unstructuredName ??= DirectoryString.Read(attribute.Values[0]).Value;
                            break;
                        case ScepOids.UnstructuredAddress:
                            unstructuredAddress ??= DirectoryString.Read(attribute.Values[0]).Value;
                            break;
                    }
                }
            }

            requestInfo.ThrowIfNotEmpty();
            return new Pkcs10Request(copy, requestInfoEncoded, subject, spki, signatureAlgorithm, signature)
            {
                CommonName = FindInName(subject, ScepOids.CommonName),
                ChallengePassword = password,
                ChallengePasswordEncoding = passwordEncoding,
                RequestedExtensions = Merge(standardExtensions, microsoftExtensions),
                UnstructuredName = FindInName(subject, ScepOids.UnstructuredName) ?? unstructuredName,
                UnstructuredAddress = FindInName(subject, ScepOids.UnstructuredAddress) ?? unstructuredAddress,
            };
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.MalformedContent, "The PKCS#10 request is malformed: " + e.Message, e);
        }
        catch (CryptographicException e)
        {
            throw new ScepException(ScepError.MalformedContent, "The PKCS#10 request is malformed: " + e.Message, e);
        }
    }

    // A certificate carries each extension once (RFC 5280 §4.2), and CertificateRequest refuses duplicates:
    // the first request for an OID wins, extensionRequest before the Microsoft attribute.
    private static ReadOnlyCollection<X509Extension> Merge(List<X509Extension> standard, List<X509Extension> microsoft)
    {
        var merged = new List<X509Extension>(standard.Count + microsoft.Count);
        foreach (var extension in standard.Concat(microsoft))
        {
            if (!merged.Exists(e => e.Oid!.Value == extension.Oid!.Value))
            {
                merged.Add(extension);
            }
        }

        return merged.AsReadOnly();
    }

    private static void ReadExtensions(ReadOnlyMemory<byte> value, List<X509Extension> into)
    {
        var reader = new AsnReader(value, AsnEncodingRules.BER);
        var extensions = reader.ReadSequence();
        while (extensions.HasData)
        {
            if (into.Count == Limits.MaxRequestedExtensions)
            {
                throw new ScepException(ScepError.LimitExceeded, "The PKCS#10 request asks for too many extensions.");
            }

            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.HasData && extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var extensionValue = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            into.Add(new X509Extension(oid, extensionValue, critical));
        }
    }

    /// <summary>The value of the first attribute <paramref name="oid"/> in a Name, when it is a string.</summary>
    internal static string? FindInName(ReadOnlyMemory<byte> name, string oid)
    {
        var reader = new AsnReader(name, AsnEncodingRules.BER);
        var rdns = reader.ReadSequence();
        while (rdns.HasData)
        {
            var rdn = rdns.ReadSetOf(skipSortOrderValidation: true);
            while (rdn.HasData)
            {
                var typeAndValue = rdn.ReadSequence();
                var type = typeAndValue.ReadObjectIdentifier();
                var value = typeAndValue.ReadEncodedValue();
                if (type == oid)
                {
                    try
                    {
                        return DirectoryString.Read(value).Value;
                    }
                    catch (AsnContentException)
                    {
                        return null;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Verifies the request's signature with its own public key: the proof of possession (RFC 8894 §2.3, §3.3.1).</summary>
    /// <exception cref="ScepException"><see cref="ScepError.InvalidProofOfPossession"/> (badMessageCheck) or <see cref="ScepError.UnsupportedAlgorithm"/> (badAlg).</exception>
    public void VerifyProofOfPossession()
    {
        if (!Signatures.VerifyData(_subjectPublicKeyInfo.Span, _signatureAlgorithm, null, _requestInfo.Span, _signature.Span))
        {
            throw new ScepException(ScepError.InvalidProofOfPossession, "The PKCS#10 request's signature does not verify with its own public key.");
        }
    }

    /// <summary>Whether the request's public key equals <paramref name="certificate"/>'s (RFC 8894 §2.3: a PKCSReq's signer key is the requested key).</summary>
    /// <param name="certificate">Typically the certificate that signed the pkiMessage.</param>
    /// <returns>True when the SubjectPublicKeyInfo encodings are equal.</returns>
    public bool HasSamePublicKeyAs(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CertificateFacts.SubjectPublicKeyInfo(certificate).Span.SequenceEqual(_subjectPublicKeyInfo.Span);
    }

    /// <summary>A copy of the DER encoding.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode() => _encoded.ToArray();

    internal static Pkcs10Request Build(Pkcs10RequestBuilder builder, AsymmetricAlgorithm key, HashAlgorithmName hash)
    {
        var info = new AsnWriter(AsnEncodingRules.DER);
        info.PushSequence();
        info.WriteInteger(0);
        info.WriteEncodedValue(builder.Subject.RawData);
        info.WriteEncodedValue(key switch
        {
            RSA or ECDsa => key.ExportSubjectPublicKeyInfo(),
            _ => throw new ArgumentException("The key must be RSA or ECDsa.", nameof(key)),
        });
        info.PushSetOf(Context0);
        if (builder.ChallengePassword is { } password)
        {
            CmsAttribute.Write(info, ScepOids.ChallengePassword, DirectoryString.Encode(password, builder.ChallengePasswordEncoding));
        }

        if (builder.Extensions.Count > 0)
        {
            var extensions = new AsnWriter(AsnEncodingRules.DER);
            extensions.PushSequence();
            foreach (var extension in builder.Extensions)
            {
                extensions.PushSequence();
                extensions.WriteObjectIdentifier(extension.Oid!.Value!);
                if (extension.Critical)
                {
                    extensions.WriteBoolean(true);
                }

                extensions.WriteOctetString(extension.RawData);
                extensions.PopSequence();
            }

            extensions.PopSequence();
            CmsAttribute.Write(
                info,
                builder.UseMicrosoftExtensionAttribute ? ScepOids.MicrosoftExtensionRequest : ScepOids.ExtensionRequest,
                extensions.Encode());
        }

        if (builder.UnstructuredName is { } unstructuredName)
        {
            CmsAttribute.Write(info, ScepOids.UnstructuredName, DirectoryString.Encode(unstructuredName, UniversalTagNumber.IA5String));
        }

        if (builder.UnstructuredAddress is { } unstructuredAddress)
        {
            CmsAttribute.Write(info, ScepOids.UnstructuredAddress, DirectoryString.Encode(unstructuredAddress, UniversalTagNumber.PrintableString));
        }

        info.PopSetOf(Context0);
        info.PopSequence();
        var requestInfo = info.Encode();
        var signature = Signatures.SignData(key, hash, requestInfo);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteEncodedValue(requestInfo);
        WriteCsrSignatureAlgorithm(writer, key, hash);
        writer.WriteBitString(signature);
        writer.PopSequence();
        return Decode(writer.Encode());
    }

    private static void WriteCsrSignatureAlgorithm(AsnWriter writer, AsymmetricAlgorithm key, HashAlgorithmName hash)
    {
        if (key is ECDsa)
        {
            Algorithms.WriteSignatureAlgorithm(writer, key, hash);
            return;
        }

        writer.PushSequence();
        writer.WriteObjectIdentifier(
            hash == HashAlgorithmName.SHA256 ? ScepOids.Sha256WithRsa
            : hash == HashAlgorithmName.SHA384 ? ScepOids.Sha384WithRsa
            : hash == HashAlgorithmName.SHA512 ? ScepOids.Sha512WithRsa
            : hash == HashAlgorithmName.SHA1 ? ScepOids.Sha1WithRsa
            : hash == HashAlgorithmName.MD5 ? ScepOids.Md5WithRsa
            : throw new ArgumentException($"Hash {hash.Name} is not supported.", nameof(hash)));
        writer.WriteNull();
        writer.PopSequence();
    }
}
