namespace Scep.Protocol;

/// <summary>How the content-encryption key is encrypted to the recipient's RSA key (RFC 3370 §4.2, RFC 8017).</summary>
public enum KeyTransportAlgorithm
{
    /// <summary>RSAES-PKCS1-v1_5 (rsaEncryption), what every SCEP peer sends and expects.</summary>
    RsaPkcs1 = 1,

    /// <summary>RSAES-OAEP with SHA-1 and MGF1-SHA-1 (the RFC 3560 defaults).</summary>
    RsaOaepSha1,

    /// <summary>RSAES-OAEP with SHA-256 and MGF1-SHA-256 (Windows clients).</summary>
    RsaOaepSha256,

    /// <summary>RSAES-OAEP with SHA-384 and MGF1-SHA-384.</summary>
    RsaOaepSha384,

    /// <summary>RSAES-OAEP with SHA-512 and MGF1-SHA-512.</summary>
    RsaOaepSha512,
}
