namespace Scep.SampleHost;

/// <summary>The values of <c>SampleHost:CaKeyAlgorithm</c>: the key a created CA gets.</summary>
public enum CaKeyAlgorithm
{
    /// <summary>An RSA CA (<c>SampleHost:CaKeySize</c> bits) that signs and decrypts: what every SCEP client accepts. The default.</summary>
    Rsa,

    /// <summary>
    /// An ECDSA P-256 CA that signs replies, certificates and CRLs, with an RSA encryption certificate
    /// (<c>SampleHost:CaKeySize</c> bits, issued by the CA) that the clients' envelopes are encrypted to.
    /// </summary>
    EcdsaP256,

    /// <summary>As <see cref="EcdsaP256"/>, on the P-384 curve, signing with SHA-384.</summary>
    EcdsaP384,
}
