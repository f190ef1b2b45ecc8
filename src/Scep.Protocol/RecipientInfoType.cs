namespace Scep.Protocol;

/// <summary>The kind of a CMS RecipientInfo (RFC 5652 §6.2).</summary>
public enum RecipientInfoType
{
    /// <summary>KeyTransRecipientInfo: the content key encrypted to an RSA key. The only kind SCEP peers use.</summary>
    KeyTransport = 1,

    /// <summary>KeyAgreeRecipientInfo [1].</summary>
    KeyAgreement,

    /// <summary>KEKRecipientInfo [2].</summary>
    KeyEncryptionKey,

    /// <summary>PasswordRecipientInfo [3] (RFC 8894 §3.1 for non-RSA clients; not decrypted by this codec).</summary>
    Password,

    /// <summary>OtherRecipientInfo [4].</summary>
    Other,
}
