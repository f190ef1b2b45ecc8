namespace Scep.Protocol.Internal;

/// <summary>Bounds the decoders enforce on untrusted input, whatever the caller's own size limit.</summary>
internal static class Limits
{
    /// <summary>Certificates in one SignedData (a CertRep carries the issued certificate and a chain).</summary>
    public const int MaxCertificates = 32;

    /// <summary>CRLs in one SignedData.</summary>
    public const int MaxCrls = 8;

    /// <summary>Signed attributes of one signer (SCEP needs nine, vendors add a few).</summary>
    public const int MaxSignedAttributes = 32;

    /// <summary>Values in one attribute (SCEP attributes have one).</summary>
    public const int MaxAttributeValues = 4;

    /// <summary>Signers and recipients in one structure.</summary>
    public const int MaxSignersOrRecipients = 8;

    /// <summary>Attributes and requested extensions in a PKCS#10 request.</summary>
    public const int MaxRequestAttributes = 32;

    /// <summary>Extensions requested in a PKCS#10 request.</summary>
    public const int MaxRequestedExtensions = 64;

    /// <summary>Length of a transactionID in characters.</summary>
    public const int MaxTransactionIdLength = 255;

    /// <summary>Length of a nonce in bytes.</summary>
    public const int MaxNonceLength = 64;

    /// <summary>Length of a failInfoText in characters.</summary>
    public const int MaxFailInfoTextLength = 1024;

    /// <summary>
    /// Nesting of constructed ASN.1 values in one structure. A pkiMessage with its certificates nests about 12
    /// deep; a BER encoder that splits OCTET STRINGs adds one or two levels. Deeper input is an attack
    /// (nested indefinite-length constructed OCTET STRINGs are the classic).
    /// </summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Octets of a serial number INTEGER (RFC 5280 §4.1.2.2 allows 20; some CAs write 21 with a sign octet).</summary>
    public const int MaxSerialNumberLength = 64;

    /// <summary>Smallest RSA modulus, in bits, whose signatures are checked: smaller keys are forgeable.</summary>
    public const int MinRsaKeySize = 1024;

    /// <summary>Largest RSA modulus, in bits, whose signatures are checked: a larger one makes each verification an attacker-chosen cost.</summary>
    public const int MaxRsaKeySize = 8192;

    /// <summary>Octets of an RSA public exponent (OpenSSL allows at most 64 bits above 3072-bit moduli; everyone uses 65537).</summary>
    public const int MaxRsaExponentLength = 8;
}
