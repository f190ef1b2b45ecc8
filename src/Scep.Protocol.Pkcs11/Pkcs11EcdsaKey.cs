using System;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// An ECDSA private key (P-256, P-384 or P-521) in a PKCS#11 token, as a .NET <see cref="ECDsa"/>: signatures run in
/// the token (CKM_ECDSA over the hash), the public half is read once and verifies in software. The private key never
/// leaves the token.
/// </summary>
public sealed class Pkcs11EcdsaKey : ECDsa
{
    private readonly TokenKey _key;
    private readonly ECDsa _software;
    private readonly int _fieldBytes;

    internal Pkcs11EcdsaKey(TokenKey key, ECParameters publicParameters)
    {
        _key = key;
        _software = Create(publicParameters);
        KeySizeValue = _software.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
        _fieldBytes = publicParameters.Q.X!.Length;
    }

    /// <summary>The URI the key was found by.</summary>
    public Pkcs11Uri Uri => _key.Uri;

    /// <inheritdoc />
    public override ECParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException($"The {_key.Description} cannot be exported.")
        : _software.ExportParameters(false);

    /// <inheritdoc />
    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException($"The {_key.Description} cannot be exported.")
        : _software.ExportExplicitParameters(false);

    /// <inheritdoc />
    public override void ImportParameters(ECParameters parameters) =>
        throw new NotSupportedException("A PKCS#11 key lives in its token; import a key with the token's tools.");

    /// <inheritdoc />
    public override void GenerateKey(ECCurve curve) =>
        throw new NotSupportedException("Generate PKCS#11 keys with Pkcs11Token.GenerateEcdsaKey.");

    /// <summary>Signs a hash; the signature is r and s, each as long as the curve's field (IEEE P1363), as .NET's ECDsa returns it.</summary>
    /// <param name="hash">The hash.</param>
    /// <returns>The signature.</returns>
    public override byte[] SignHash(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        // PKCS#11 v2.40 Mechanisms §2.3.6: CKM_ECDSA signs the hash as given and returns r || s, each of the order's
        // length; a token that shortens them is padded back, since .NET expects the fixed width.
        var signature = _key.Run("ECDSA signature", (session, handle) =>
            session.Sign(session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA), handle, hash));
        if (signature.Length == 2 * _fieldBytes)
        {
            return signature;
        }

        if (signature.Length % 2 != 0 || signature.Length > 2 * _fieldBytes)
        {
            throw new CryptographicException($"The token returned an ECDSA signature of {signature.Length} bytes for a {KeySize}-bit key.");
        }

        var half = signature.Length / 2;
        var fixedWidth = new byte[2 * _fieldBytes];
        signature.AsSpan(0, half).CopyTo(fixedWidth.AsSpan(_fieldBytes - half));
        signature.AsSpan(half).CopyTo(fixedWidth.AsSpan((2 * _fieldBytes) - half));
        return fixedWidth;
    }

    /// <inheritdoc />
    public override bool VerifyHash(byte[] hash, byte[] signature) => _software.VerifyHash(hash, signature);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _software.Dispose();
        }

        base.Dispose(disposing);
    }
}
