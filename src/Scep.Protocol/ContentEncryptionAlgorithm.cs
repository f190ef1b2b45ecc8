namespace Scep.Protocol;

/// <summary>Content-encryption algorithms of the pkcsPKIEnvelope (RFC 8894 §3.2.2, §3.5.2).</summary>
public enum ContentEncryptionAlgorithm
{
    /// <summary>Single DES in CBC mode (1.3.14.3.2.7). Legacy only: RFC 8894 forbids it.</summary>
    DesCbc = 1,

    /// <summary>Triple DES (DES-EDE3) in CBC mode (1.2.840.113549.3.7); capability <c>DES3</c>.</summary>
    TripleDesCbc,

    /// <summary>AES-128 in CBC mode (2.16.840.1.101.3.4.1.2); capability <c>AES</c>, mandatory in RFC 8894.</summary>
    Aes128Cbc,

    /// <summary>AES-192 in CBC mode (2.16.840.1.101.3.4.1.22).</summary>
    Aes192Cbc,

    /// <summary>AES-256 in CBC mode (2.16.840.1.101.3.4.1.42).</summary>
    Aes256Cbc,
}
