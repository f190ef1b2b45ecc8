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
}
