namespace Scep.SampleHost;

/// <summary>The values of <c>SampleHost:RaCertificate</c>: which key signs the SCEP replies and decrypts the clients' envelopes.</summary>
public enum RaCertificateMode
{
    /// <summary>The CA's own key does (and an ECDSA CA's encryption certificate decrypts). The default.</summary>
    None,

    /// <summary>
    /// An RA certificate the CA issues (RSA, <c>SampleHost:CaKeySize</c> bits, keyUsage digitalSignature and
    /// keyEncipherment) with its key in <c>ra.p12</c> of the data folder: it signs the replies and decrypts the
    /// envelopes, so the CA key only signs certificates and CRLs (SCEP lets an RA certificate stand in for the CA's in
    /// the messages). With the CA key in a token, an enrollment then costs one token operation instead of three.
    /// </summary>
    File,
}
