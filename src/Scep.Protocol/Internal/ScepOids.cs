namespace Scep.Protocol.Internal;

/// <summary>The one registry of object identifiers used by the codecs (RFC 8894 §3.2.1, RFC 5652, RFC 3370, RFC 3565, RFC 8017).</summary>
internal static class ScepOids
{
    // SCEP attributes (VeriSign arc 2.16.840.1.113733.1.9 and id-scep 1.3.6.1.5.5.7.24).
    public const string MessageType = "2.16.840.1.113733.1.9.2";
    public const string PkiStatus = "2.16.840.1.113733.1.9.3";
    public const string FailInfo = "2.16.840.1.113733.1.9.4";
    public const string SenderNonce = "2.16.840.1.113733.1.9.5";
    public const string RecipientNonce = "2.16.840.1.113733.1.9.6";
    public const string TransactionId = "2.16.840.1.113733.1.9.7";
    public const string FailInfoText = "1.3.6.1.5.5.7.24.1";

    // CMS content types.
    public const string Data = "1.2.840.113549.1.7.1";
    public const string SignedData = "1.2.840.113549.1.7.2";
    public const string EnvelopedData = "1.2.840.113549.1.7.3";

    // PKCS#9 attributes.
    public const string ContentType = "1.2.840.113549.1.9.3";
    public const string MessageDigest = "1.2.840.113549.1.9.4";
    public const string SigningTime = "1.2.840.113549.1.9.5";
    public const string ChallengePassword = "1.2.840.113549.1.9.7";
    public const string ExtensionRequest = "1.2.840.113549.1.9.14";
    public const string MicrosoftExtensionRequest = "1.3.6.1.4.1.311.2.1.14";
    public const string UnstructuredName = "1.2.840.113549.1.9.2";
    public const string UnstructuredAddress = "1.2.840.113549.1.9.8";

    // Digests.
    public const string Md5 = "1.2.840.113549.2.5";
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    // Signatures and key transport.
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string Md5WithRsa = "1.2.840.113549.1.1.4";
    public const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    public const string RsaOaep = "1.2.840.113549.1.1.7";
    public const string Mgf1 = "1.2.840.113549.1.1.8";
    public const string PSpecified = "1.2.840.113549.1.1.9";
    public const string RsaPss = "1.2.840.113549.1.1.10";
    public const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    public const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    public const string Sha512WithRsa = "1.2.840.113549.1.1.13";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string EcdsaWithSha1 = "1.2.840.10045.4.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    public const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";

    // Content encryption.
    public const string DesCbc = "1.3.14.3.2.7";
    public const string DesEde3Cbc = "1.2.840.113549.3.7";
    public const string Aes128Cbc = "2.16.840.1.101.3.4.1.2";
    public const string Aes192Cbc = "2.16.840.1.101.3.4.1.22";
    public const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";

    // Certificate extensions.
    public const string BasicConstraints = "2.5.29.19";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string CommonName = "2.5.4.3";
}
