using System;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Scep.Protocol.Internal;

/// <summary>Maps algorithm identifiers on the wire to .NET primitives and back.</summary>
internal static class Algorithms
{
    public static bool IsSupportedDigest(HashAlgorithmName name) =>
        name == HashAlgorithmName.MD5 || name == HashAlgorithmName.SHA1 || name == HashAlgorithmName.SHA256
        || name == HashAlgorithmName.SHA384 || name == HashAlgorithmName.SHA512;

    public static string DigestOid(HashAlgorithmName name)
    {
        if (name == HashAlgorithmName.SHA256)
        {
            return ScepOids.Sha256;
        }

        if (name == HashAlgorithmName.SHA1)
        {
            return ScepOids.Sha1;
        }

        if (name == HashAlgorithmName.SHA512)
        {
            return ScepOids.Sha512;
        }

        if (name == HashAlgorithmName.SHA384)
        {
            return ScepOids.Sha384;
        }

        if (name == HashAlgorithmName.MD5)
        {
            return ScepOids.Md5;
        }

        throw new ArgumentException($"Digest algorithm '{name.Name}' is not supported by SCEP.", nameof(name));
    }

    public static HashAlgorithmName? DigestFromOid(string oid) => oid switch
    {
        ScepOids.Sha256 => HashAlgorithmName.SHA256,
        ScepOids.Sha1 => HashAlgorithmName.SHA1,
        ScepOids.Sha512 => HashAlgorithmName.SHA512,
        ScepOids.Sha384 => HashAlgorithmName.SHA384,
        ScepOids.Md5 => HashAlgorithmName.MD5,
        _ => null,
    };

    public static int DigestLength(HashAlgorithmName name)
    {
        if (name == HashAlgorithmName.SHA256)
        {
            return 32;
        }

        if (name == HashAlgorithmName.SHA1)
        {
            return 20;
        }

        if (name == HashAlgorithmName.SHA512)
        {
            return 64;
        }

        if (name == HashAlgorithmName.SHA384)
        {
            return 48;
        }

        return 16;
    }

    /// <summary>RFC 3370 §2: MD5 identifiers carry NULL parameters; the SHA family is written without.</summary>
    public static void WriteDigestAlgorithm(AsnWriter writer, HashAlgorithmName name)
    {
        writer.PushSequence();
        writer.WriteObjectIdentifier(DigestOid(name));
        if (name == HashAlgorithmName.MD5)
        {
            writer.WriteNull();
        }

        writer.PopSequence();
    }

    public static string ContentEncryptionOid(ContentEncryptionAlgorithm algorithm) => algorithm switch
    {
        ContentEncryptionAlgorithm.Aes128Cbc => ScepOids.Aes128Cbc,
        ContentEncryptionAlgorithm.Aes192Cbc => ScepOids.Aes192Cbc,
        ContentEncryptionAlgorithm.Aes256Cbc => ScepOids.Aes256Cbc,
        ContentEncryptionAlgorithm.TripleDesCbc => ScepOids.DesEde3Cbc,
        ContentEncryptionAlgorithm.DesCbc => ScepOids.DesCbc,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown content-encryption algorithm."),
    };

    public static ContentEncryptionAlgorithm? ContentEncryptionFromOid(string oid) => oid switch
    {
        ScepOids.Aes128Cbc => ContentEncryptionAlgorithm.Aes128Cbc,
        ScepOids.Aes192Cbc => ContentEncryptionAlgorithm.Aes192Cbc,
        ScepOids.Aes256Cbc => ContentEncryptionAlgorithm.Aes256Cbc,
        ScepOids.DesEde3Cbc => ContentEncryptionAlgorithm.TripleDesCbc,
        ScepOids.DesCbc => ContentEncryptionAlgorithm.DesCbc,
        _ => null,
    };

    public static int KeySize(ContentEncryptionAlgorithm algorithm) => algorithm switch
    {
        ContentEncryptionAlgorithm.Aes128Cbc => 16,
        ContentEncryptionAlgorithm.Aes192Cbc => 24,
        ContentEncryptionAlgorithm.Aes256Cbc => 32,
        ContentEncryptionAlgorithm.TripleDesCbc => 24,
        _ => 8,
    };

    public static int BlockSize(ContentEncryptionAlgorithm algorithm) => algorithm switch
    {
        ContentEncryptionAlgorithm.DesCbc or ContentEncryptionAlgorithm.TripleDesCbc => 8,
        _ => 16,
    };

    public static SymmetricAlgorithm CreateCipher(ContentEncryptionAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        SymmetricAlgorithm cipher = algorithm switch
        {
#pragma warning disable CA5351 // SCEP's legacy algorithms are only used where a policy allows them.
            ContentEncryptionAlgorithm.DesCbc => DES.Create(),
#pragma warning restore CA5351
#pragma warning disable CA5350
            ContentEncryptionAlgorithm.TripleDesCbc => TripleDES.Create(),
#pragma warning restore CA5350
            _ => Aes.Create(),
        };
        try
        {
            cipher.Key = key.ToArray();
            return cipher;
        }
        catch
        {
            cipher.Dispose();
            throw;
        }
    }

    /// <summary>Signature algorithm written in a SignerInfo: rsaEncryption for RSA (as OpenSSL and SignedCms do), ecdsa-with-SHAx for ECDSA.</summary>
    public static void WriteSignatureAlgorithm(AsnWriter writer, AsymmetricAlgorithm key, HashAlgorithmName digest)
    {
        writer.PushSequence();
        switch (key)
        {
            case RSA:
                writer.WriteObjectIdentifier(ScepOids.RsaEncryption);
                writer.WriteNull();
                break;
            case ECDsa:
                writer.WriteObjectIdentifier(EcdsaOid(digest));
                break;
            default:
                throw new ArgumentException("The signing key must be RSA or ECDsa.", nameof(key));
        }

        writer.PopSequence();
    }

    private static string EcdsaOid(HashAlgorithmName digest)
    {
        if (digest == HashAlgorithmName.SHA256)
        {
            return ScepOids.EcdsaWithSha256;
        }

        if (digest == HashAlgorithmName.SHA384)
        {
            return ScepOids.EcdsaWithSha384;
        }

        if (digest == HashAlgorithmName.SHA512)
        {
            return ScepOids.EcdsaWithSha512;
        }

        if (digest == HashAlgorithmName.SHA1)
        {
            return ScepOids.EcdsaWithSha1;
        }

        throw new ArgumentException($"ECDSA cannot be used with {digest.Name}.", nameof(digest));
    }

    /// <summary>The key family and, where the identifier names one, the hash of a signature algorithm.</summary>
    public static (SignatureKeyKind Kind, HashAlgorithmName? Hash) SignatureFromOid(string oid) => oid switch
    {
        ScepOids.RsaEncryption => (SignatureKeyKind.Rsa, null),
        ScepOids.Sha256WithRsa => (SignatureKeyKind.Rsa, HashAlgorithmName.SHA256),
        ScepOids.Sha1WithRsa => (SignatureKeyKind.Rsa, HashAlgorithmName.SHA1),
        ScepOids.Sha384WithRsa => (SignatureKeyKind.Rsa, HashAlgorithmName.SHA384),
        ScepOids.Sha512WithRsa => (SignatureKeyKind.Rsa, HashAlgorithmName.SHA512),
        ScepOids.Md5WithRsa => (SignatureKeyKind.Rsa, HashAlgorithmName.MD5),
        ScepOids.EcPublicKey => (SignatureKeyKind.Ecdsa, null),
        ScepOids.EcdsaWithSha256 => (SignatureKeyKind.Ecdsa, HashAlgorithmName.SHA256),
        ScepOids.EcdsaWithSha384 => (SignatureKeyKind.Ecdsa, HashAlgorithmName.SHA384),
        ScepOids.EcdsaWithSha512 => (SignatureKeyKind.Ecdsa, HashAlgorithmName.SHA512),
        ScepOids.EcdsaWithSha1 => (SignatureKeyKind.Ecdsa, HashAlgorithmName.SHA1),
        _ => (SignatureKeyKind.Unknown, null),
    };

    public static RSAEncryptionPadding KeyTransportPadding(KeyTransportAlgorithm algorithm) => algorithm switch
    {
        KeyTransportAlgorithm.RsaPkcs1 => RSAEncryptionPadding.Pkcs1,
        KeyTransportAlgorithm.RsaOaepSha1 => RSAEncryptionPadding.OaepSHA1,
        KeyTransportAlgorithm.RsaOaepSha256 => RSAEncryptionPadding.OaepSHA256,
        KeyTransportAlgorithm.RsaOaepSha384 => RSAEncryptionPadding.OaepSHA384,
        KeyTransportAlgorithm.RsaOaepSha512 => RSAEncryptionPadding.OaepSHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown key-transport algorithm."),
    };

    public static void WriteKeyTransportAlgorithm(AsnWriter writer, KeyTransportAlgorithm algorithm)
    {
        writer.PushSequence();
        if (algorithm == KeyTransportAlgorithm.RsaPkcs1)
        {
            writer.WriteObjectIdentifier(ScepOids.RsaEncryption);
            writer.WriteNull();
        }
        else
        {
            // RFC 4055 §4.1: RSAES-OAEP-params; SHA-1 is the default and is left out.
            var hash = algorithm switch
            {
                KeyTransportAlgorithm.RsaOaepSha256 => HashAlgorithmName.SHA256,
                KeyTransportAlgorithm.RsaOaepSha384 => HashAlgorithmName.SHA384,
                KeyTransportAlgorithm.RsaOaepSha512 => HashAlgorithmName.SHA512,
                _ => HashAlgorithmName.SHA1,
            };
            writer.WriteObjectIdentifier(ScepOids.RsaOaep);
            writer.PushSequence();
            if (hash != HashAlgorithmName.SHA1)
            {
                writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                WriteDigestAlgorithm(writer, hash);
                writer.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
                writer.PushSequence();
                writer.WriteObjectIdentifier(ScepOids.Mgf1);
                WriteDigestAlgorithm(writer, hash);
                writer.PopSequence();
                writer.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
            }

            writer.PopSequence();
        }

        writer.PopSequence();
    }

    /// <summary>Reads rsaEncryption or RSAES-OAEP (with any of the SHA hashes, MGF1 over the same hash, empty label).</summary>
    public static KeyTransportAlgorithm? KeyTransportFromIdentifier(AlgorithmIdentifier identifier)
    {
        if (identifier.Oid == ScepOids.RsaEncryption)
        {
            return KeyTransportAlgorithm.RsaPkcs1;
        }

        if (identifier.Oid != ScepOids.RsaOaep)
        {
            return null;
        }

        HashAlgorithmName hash, mgfHash;
        try
        {
            (hash, mgfHash) = ReadOaepHashes(identifier.Parameters);
        }
        catch (AsnContentException e)
        {
            throw new ScepException(ScepError.MalformedEnvelope, "The RSAES-OAEP parameters are malformed: " + e.Message, e);
        }

        if (hash != mgfHash)
        {
            throw Unsupported($"OAEP with {hash.Name} and MGF1-{mgfHash.Name}");
        }

        if (hash == HashAlgorithmName.SHA1)
        {
            return KeyTransportAlgorithm.RsaOaepSha1;
        }

        if (hash == HashAlgorithmName.SHA256)
        {
            return KeyTransportAlgorithm.RsaOaepSha256;
        }

        if (hash == HashAlgorithmName.SHA384)
        {
            return KeyTransportAlgorithm.RsaOaepSha384;
        }

        if (hash == HashAlgorithmName.SHA512)
        {
            return KeyTransportAlgorithm.RsaOaepSha512;
        }

        throw Unsupported("OAEP with " + hash.Name);
    }

    /// <summary>The hash and MGF1 hash of RSAES-OAEP-params (RFC 4055 §4.1); SHA-1 for absent fields.</summary>
    private static (HashAlgorithmName Hash, HashAlgorithmName MgfHash) ReadOaepHashes(ReadOnlyMemory<byte>? encoded)
    {
        var hash = HashAlgorithmName.SHA1;
        var mgfHash = HashAlgorithmName.SHA1;
        if (encoded is { } parameters && !IsNull(parameters.Span))
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.BER);
            var sequence = reader.ReadSequence();
            var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0);
            var mgfTag = new Asn1Tag(TagClass.ContextSpecific, 1);
            var labelTag = new Asn1Tag(TagClass.ContextSpecific, 2);
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(hashTag))
            {
                var explicitHash = sequence.ReadSequence(hashTag);
                var digest = AlgorithmIdentifier.Read(explicitHash);
                hash = DigestFromOid(digest.Oid) ?? throw Unsupported("OAEP hash " + digest.Oid);
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(mgfTag))
            {
                var explicitMgf = sequence.ReadSequence(mgfTag);
                var mgf = AlgorithmIdentifier.Read(explicitMgf);
                if (mgf.Oid != ScepOids.Mgf1 || mgf.Parameters is null)
                {
                    throw Unsupported("OAEP mask generation " + mgf.Oid);
                }

                var mgfDigest = AlgorithmIdentifier.Read(new AsnReader(mgf.Parameters.Value, AsnEncodingRules.BER));
                mgfHash = DigestFromOid(mgfDigest.Oid) ?? throw Unsupported("MGF1 hash " + mgfDigest.Oid);
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(labelTag))
            {
                var explicitLabel = sequence.ReadSequence(labelTag);
                var source = AlgorithmIdentifier.Read(explicitLabel);
                if (source.Oid != ScepOids.PSpecified || source.Parameters is not { } label
                    || new AsnReader(label, AsnEncodingRules.BER).ReadOctetString().Length != 0)
                {
                    throw Unsupported("OAEP with a non-empty label");
                }
            }

            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
        }

        return (hash, mgfHash);
    }

    private static ScepException Unsupported(string what) =>
        new(ScepError.UnsupportedAlgorithm, $"Key transport {what} is not supported.");

    public static bool IsNull(ReadOnlySpan<byte> encoded) => encoded.Length == 2 && encoded[0] == 0x05 && encoded[1] == 0x00;
}

internal enum SignatureKeyKind
{
    Unknown,
    Rsa,
    Ecdsa,
}
