namespace Scep.Protocol;

/// <summary>What a certificate request is, judged by the certificate that signed it (RFC 8894 §2.5, reference §7.1).</summary>
public enum EnrollmentKind
{
    /// <summary>Signed by a self-signed certificate: a first enrollment.</summary>
    InitialEnrollment = 1,

    /// <summary>Signed by a certificate that one of the given CAs issued: a renewal.</summary>
    Renewal,

    /// <summary>Signed by a certificate that is neither self-signed nor issued by a given CA. Never treat this as a first enrollment.</summary>
    UnknownSigner,
}
