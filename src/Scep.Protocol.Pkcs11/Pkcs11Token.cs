using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// A PKCS#11 token, opened and logged in to: its private keys as <see cref="RSA"/> and <see cref="ECDsa"/> objects, new
/// keys generated in it, certificates stored beside them. Thread-safe; its sessions are pooled (at most
/// <see cref="Pkcs11TokenOptions.MaxSessions"/> at once). When the token goes away, operations fail with
/// <see cref="Pkcs11KeyException"/> (<see cref="Pkcs11Failure.TokenRemoved"/>) and the first one after it is back succeeds:
/// the token is found again, logged in to, and each key's object found again.
/// </summary>
public sealed class Pkcs11Token : IDisposable
{
    private readonly SessionPool _pool;

    private Pkcs11Token(SessionPool pool, Pkcs11Uri uri)
    {
        _pool = pool;
        Uri = uri;
    }

    /// <summary>The URI the token was opened by (its token attributes chose it).</summary>
    public Pkcs11Uri Uri { get; }

    /// <summary>The token and module, for messages.</summary>
    public string Description => _pool.Description;

    /// <summary>
    /// Loads the module, finds the token the URI names, and logs in: a missing module, token or PIN, or a wrong PIN, fails
    /// here, with one clear message.
    /// </summary>
    /// <param name="uri">The URI: its token attributes choose the token; <c>module-path</c> and <c>pin-source</c> are used unless the options say otherwise.</param>
    /// <param name="options">The module, the PIN and the pool size; null to take them from the URI.</param>
    /// <returns>The open token.</returns>
    /// <exception cref="Pkcs11KeyException">The token cannot be used; <see cref="Pkcs11KeyException.Failure"/> says why.</exception>
    public static Pkcs11Token Open(Pkcs11Uri uri, Pkcs11TokenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new Pkcs11TokenOptions();
        var module = options.ModulePath ?? uri.ModulePath
            ?? throw new Pkcs11KeyException(Pkcs11Failure.ModuleNotLoaded, $"No PKCS#11 module: give module-path in the URI {uri} or a module path.");
        var pin = options.Pin ?? Pkcs11Pin.FromUri(uri)
            ?? throw new Pkcs11KeyException(Pkcs11Failure.PinMissing, $"No PIN for {uri}: give pin-source in the URI, or a PIN file or variable.");
        if (options.MaxSessions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxSessions must be at least 1.");
        }

        var pool = new SessionPool(module, uri, pin, options.MaxSessions);
        try
        {
            pool.Connect();
        }
        catch
        {
            pool.Dispose();
            throw;
        }

        return new Pkcs11Token(pool, uri);
    }

    /// <summary>The private key the URI's object and id name, as <see cref="Pkcs11RsaKey"/> or <see cref="Pkcs11EcdsaKey"/>.</summary>
    /// <param name="key">The key's URI (its token attributes are not looked at again).</param>
    /// <returns>The key object; dispose it when done (the token stays open).</returns>
    /// <exception cref="Pkcs11KeyException">No such key (<see cref="Pkcs11Failure.KeyNotFound"/>), several, or the token failed.</exception>
    public AsymmetricAlgorithm GetKey(Pkcs11Uri key) =>
        FindKey(key) ?? throw new Pkcs11KeyException(Pkcs11Failure.KeyNotFound, $"No private key {TokenObjects.Describe(key)} in {Description}.");

    /// <summary>As <see cref="GetKey"/>, or null when the token holds no such key.</summary>
    /// <param name="key">The key's URI.</param>
    /// <returns>The key object, or null.</returns>
    public AsymmetricAlgorithm? FindKey(Pkcs11Uri key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _pool.Run("Finding " + TokenObjects.Describe(key), (session, _) =>
        {
            var factories = session.Factories;
            var handle = TokenObjects.FindOne(session, factories, CKO.CKO_PRIVATE_KEY, key);
            if (handle is null)
            {
                return null;
            }

            // The public half: from the private key object where the token shows it, else from the public key object.
            var type = TokenObjects.KeyType(session, handle);
            var publicHandle = TokenObjects.FindOne(session, factories, CKO.CKO_PUBLIC_KEY, IdentityOf(session, handle, key)) ?? handle;
            AsymmetricAlgorithm result = type switch
            {
                CKK.CKK_RSA => new Pkcs11RsaKey(new TokenKey(_pool, key), new RSAParameters
                {
                    Modulus = TokenObjects.Bytes(session, publicHandle, CKA.CKA_MODULUS),
                    Exponent = TokenObjects.Bytes(session, publicHandle, CKA.CKA_PUBLIC_EXPONENT),
                }),
                CKK.CKK_EC => new Pkcs11EcdsaKey(new TokenKey(_pool, key), EcPublicKey.Read(
                    TokenObjects.Bytes(session, publicHandle, CKA.CKA_EC_PARAMS), TokenObjects.Bytes(session, publicHandle, CKA.CKA_EC_POINT))),
                _ => throw new Pkcs11KeyException(Pkcs11Failure.KeyNotFound, $"The key {TokenObjects.Describe(key)} in {Description} is of type {type}, not RSA or EC."),
            };
            return result;
        });
    }

    /// <summary>Generates an RSA key pair in the token: private, sensitive, not extractable, for signing and decryption.</summary>
    /// <param name="label">The new objects' CKA_LABEL (a random CKA_ID is added).</param>
    /// <param name="keySize">2048, 3072 or 4096 bits.</param>
    /// <returns>The new key.</returns>
    /// <exception cref="Pkcs11KeyException">An object with the label exists, or the token refused.</exception>
    public Pkcs11RsaKey GenerateRsaKey(string label, int keySize)
    {
        if (keySize is not (2048 or 3072 or 4096))
        {
            throw new ArgumentOutOfRangeException(nameof(keySize), "An RSA CA key is 2048, 3072 or 4096 bits.");
        }

        var publicKey = new List<(CKA, object)> { (CKA.CKA_MODULUS_BITS, (ulong)keySize), (CKA.CKA_PUBLIC_EXPONENT, new byte[] { 1, 0, 1 }), (CKA.CKA_ENCRYPT, true) };
        var privateKey = new List<(CKA, object)> { (CKA.CKA_DECRYPT, true) };
        return (Pkcs11RsaKey)Generate(label, CKM.CKM_RSA_PKCS_KEY_PAIR_GEN, publicKey, privateKey);
    }

    /// <summary>Generates an EC key pair in the token on P-256, P-384 or P-521: private, sensitive, not extractable, for signing.</summary>
    /// <param name="label">The new objects' CKA_LABEL (a random CKA_ID is added).</param>
    /// <param name="curve">A named NIST curve.</param>
    /// <returns>The new key.</returns>
    public Pkcs11EcdsaKey GenerateEcdsaKey(string label, ECCurve curve)
    {
        var parameters = EcPublicKey.NamedCurveParameters(curve);
        var publicKey = new List<(CKA, object)> { (CKA.CKA_EC_PARAMS, parameters) };
        return (Pkcs11EcdsaKey)Generate(label, CKM.CKM_EC_KEY_PAIR_GEN, publicKey, []);
    }

    /// <summary>Stores a certificate in the token (CKO_CERTIFICATE, X.509) with the label and id of the key of that label, if any.</summary>
    /// <param name="label">The certificate object's label.</param>
    /// <param name="certificate">The certificate.</param>
    public void StoreCertificate(string label, X509Certificate2 certificate)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(certificate);
        _pool.RunReadWrite("Storing the certificate " + label, session =>
        {
            var factories = session.Factories;
            var labelled = Uri.WithObject(label);
            if (TokenObjects.FindOne(session, factories, CKO.CKO_CERTIFICATE, labelled) is not null)
            {
                throw new Pkcs11KeyException(Pkcs11Failure.AmbiguousKey, $"{Description} holds a certificate '{label}' already.");
            }

            var template = new List<IObjectAttribute>
            {
                factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE),
                factories.ObjectAttributeFactory.Create(CKA.CKA_CERTIFICATE_TYPE, CKC.CKC_X_509),
                factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
                factories.ObjectAttributeFactory.Create(CKA.CKA_PRIVATE, false),
                factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label),
                factories.ObjectAttributeFactory.Create(CKA.CKA_SUBJECT, certificate.SubjectName.RawData),
                factories.ObjectAttributeFactory.Create(CKA.CKA_ISSUER, certificate.IssuerName.RawData),
                factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE, certificate.RawData),
            };
            if (TokenObjects.FindOne(session, factories, CKO.CKO_PRIVATE_KEY, labelled) is { } key)
            {
                template.Add(factories.ObjectAttributeFactory.Create(CKA.CKA_ID, TokenObjects.Bytes(session, key, CKA.CKA_ID)));
            }

            session.CreateObject(template);
            return true;
        });
    }

    /// <summary>The certificate object the URI's object and id name, or null.</summary>
    /// <param name="certificate">The certificate's URI.</param>
    /// <returns>The certificate, or null.</returns>
    public X509Certificate2? FindCertificate(Pkcs11Uri certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var value = _pool.Run("Finding the certificate " + TokenObjects.Describe(certificate), (session, _) =>
            TokenObjects.FindOne(session, session.Factories, CKO.CKO_CERTIFICATE, certificate) is { } handle
                ? TokenObjects.Bytes(session, handle, CKA.CKA_VALUE)
                : null);
        return value is null ? null : X509CertificateLoader.LoadCertificate(value);
    }

    /// <summary>Closes the sessions and finalises the module. Key objects of this token fail afterwards.</summary>
    public void Dispose() => _pool.Dispose();

    private AsymmetricAlgorithm Generate(string label, CKM mechanism, List<(CKA, object)> publicExtra, List<(CKA, object)> privateExtra)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var uri = Uri.WithObject(label);
        _pool.RunReadWrite("Generating the key " + label, session =>
        {
            var factories = session.Factories;
            if (TokenObjects.FindOne(session, factories, CKO.CKO_PRIVATE_KEY, uri) is not null)
            {
                throw new Pkcs11KeyException(Pkcs11Failure.AmbiguousKey, $"{Description} holds a key '{label}' already.");
            }

            var id = RandomNumberGenerator.GetBytes(16);
            List<(CKA, object)> common = [(CKA.CKA_TOKEN, true), (CKA.CKA_LABEL, label), (CKA.CKA_ID, id)];
            List<(CKA, object)> publicTemplate = [.. common, (CKA.CKA_PRIVATE, false), (CKA.CKA_VERIFY, true), .. publicExtra];
            // Private, sensitive and never extractable: the key cannot leave the token (PKCS#11 v2.40 §4.9).
            List<(CKA, object)> privateTemplate = [.. common, (CKA.CKA_PRIVATE, true), (CKA.CKA_SENSITIVE, true), (CKA.CKA_EXTRACTABLE, false), (CKA.CKA_SIGN, true), .. privateExtra];
            session.GenerateKeyPair(factories.MechanismFactory.Create(mechanism), Attributes(factories, publicTemplate), Attributes(factories, privateTemplate), out _, out _);
            return true;
        });
        return GetKey(uri);
    }

    private static List<IObjectAttribute> Attributes(Pkcs11InteropFactories factories, List<(CKA Type, object Value)> values)
    {
        var attributes = new List<IObjectAttribute>(values.Count);
        foreach (var (type, value) in values)
        {
            attributes.Add(value switch
            {
                bool b => factories.ObjectAttributeFactory.Create(type, b),
                ulong u => factories.ObjectAttributeFactory.Create(type, u),
                string s => factories.ObjectAttributeFactory.Create(type, s),
                byte[] bytes => factories.ObjectAttributeFactory.Create(type, bytes),
                _ => throw new ArgumentException("Unsupported attribute value.", nameof(values)),
            });
        }

        return attributes;
    }

    /// <summary>The URI that finds a private key's public key object: the key's own, with the private key's CKA_ID when it has one.</summary>
    private static Pkcs11Uri IdentityOf(ISession session, IObjectHandle privateKey, Pkcs11Uri key)
    {
        var id = TokenObjects.Bytes(session, privateKey, CKA.CKA_ID);
        return id.Length == 0 ? key : key.WithId(id);
    }
}
