using System;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// An RSA private key in a PKCS#11 token, as a .NET <see cref="RSA"/>: signatures (PKCS#1 v1.5 with SHA-1/256/384/512,
/// PSS with the salt as long as the hash) and decryption (PKCS#1 v1.5, OAEP with SHA-1 or SHA-256) run in the token;
/// the public half is read once and verifies and encrypts in software. The private key never leaves the token:
/// <see cref="ExportParameters"/> with private parameters throws.
/// </summary>
public sealed class Pkcs11RsaKey : RSA
{
    private readonly TokenKey _key;
    private readonly RSAParameters _public;
    private readonly RSA _software;

    internal Pkcs11RsaKey(TokenKey key, RSAParameters publicParameters)
    {
        _key = key;
        _public = publicParameters;
        _software = Create(publicParameters);
        KeySizeValue = _software.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    /// <summary>The URI the key was found by.</summary>
    public Pkcs11Uri Uri => _key.Uri;

    /// <inheritdoc />
    public override RSAParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException($"The {_key.Description} cannot be exported.")
        : new RSAParameters { Modulus = (byte[])_public.Modulus!.Clone(), Exponent = (byte[])_public.Exponent!.Clone() };

    /// <inheritdoc />
    public override void ImportParameters(RSAParameters parameters) =>
        throw new NotSupportedException("A PKCS#11 key lives in its token; import a key with the token's tools.");

    /// <inheritdoc />
    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(padding);
        return _key.Run("RSA signature", (session, handle) =>
        {
            var factories = session.Factories;
            if (padding == RSASignaturePadding.Pkcs1)
            {
                // PKCS#11 v2.40 Mechanisms §2.1.6: CKM_RSA_PKCS signs the DigestInfo as given.
                return session.Sign(factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS), handle, DigestInfo.Encode(hash, hashAlgorithm));
            }

            // PKCS#11 v2.40 Mechanisms §2.1.10-11: CKM_RSA_PKCS_PSS signs a hash, with CK_RSA_PKCS_PSS_PARAMS naming the
            // hash, MGF1 with the same hash, and the salt length (the hash's length, as .NET's RSASignaturePadding.Pss).
            var (mechanism, mgf) = HashMechanism(hashAlgorithm);
            var parameters = factories.MechanismParamsFactory.CreateCkRsaPkcsPssParams(
                ConvertUtils.UInt64FromCKM(mechanism), ConvertUtils.UInt64FromCKG(mgf), (ulong)hash.Length);
            return session.Sign(factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_PSS, parameters), handle, hash);
        });
    }

    /// <inheritdoc />
    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _software.VerifyHash(hash, signature, hashAlgorithm, padding);

    /// <inheritdoc />
    public override byte[] Decrypt(byte[] data, RSAEncryptionPadding padding)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(padding);
        return _key.Run("RSA decryption", (session, handle) =>
        {
            var factories = session.Factories;
            if (padding == RSAEncryptionPadding.Pkcs1)
            {
                return Decrypt(session, factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS), handle, data);
            }

            if (padding.Mode != RSAEncryptionPaddingMode.Oaep)
            {
                throw new CryptographicException($"The padding {padding} is not supported for PKCS#11 decryption.");
            }

            // PKCS#11 v2.40 Mechanisms §2.1.8: CK_RSA_PKCS_OAEP_PARAMS with the hash, MGF1 of the same hash and an empty label
            // (source CKZ_DATA_SPECIFIED = 1, no data), as .NET's OaepSHA1 / OaepSHA256.
            var (mechanism, mgf) = HashMechanism(padding.OaepHashAlgorithm);
            var parameters = factories.MechanismParamsFactory.CreateCkRsaPkcsOaepParams(
                ConvertUtils.UInt64FromCKM(mechanism), ConvertUtils.UInt64FromCKG(mgf), 1, null);
            return Decrypt(session, factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_OAEP, parameters), handle, data);
        });
    }

    /// <inheritdoc />
    public override byte[] Encrypt(byte[] data, RSAEncryptionPadding padding) => _software.Encrypt(data, padding);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _software.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A padding the token finds wrong is a decryption failure of the input (CryptographicException), not a token fault.</summary>
    private static byte[] Decrypt(ISession session, IMechanism mechanism, IObjectHandle handle, byte[] data)
    {
        try
        {
            return session.Decrypt(mechanism, handle, data);
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_DATA_INVALID or CKR.CKR_DATA_LEN_RANGE)
        {
            throw new CryptographicException($"The token could not decrypt the data ({e.RV}).", e);
        }
    }

    private static (CKM Hash, CKG Mgf) HashMechanism(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => (CKM.CKM_SHA_1, CKG.CKG_MGF1_SHA1),
        "SHA256" => (CKM.CKM_SHA256, CKG.CKG_MGF1_SHA256),
        "SHA384" => (CKM.CKM_SHA384, CKG.CKG_MGF1_SHA384),
        "SHA512" => (CKM.CKM_SHA512, CKG.CKG_MGF1_SHA512),
        _ => throw new CryptographicException($"The hash {hash.Name} is not supported for PKCS#11 RSA operations."),
    };
}
