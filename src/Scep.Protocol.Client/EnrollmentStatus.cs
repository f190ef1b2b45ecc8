namespace Scep.Protocol.Client;

/// <summary>The outcome of an enrollment, renewal or poll, as the server's CertRep states it (RFC 8894 §3.3.2).</summary>
public enum EnrollmentStatus
{
    /// <summary>pkiStatus SUCCESS: the certificate was issued and decrypted.</summary>
    Issued = 1,

    /// <summary>pkiStatus PENDING: the request awaits approval; poll with the same transaction.</summary>
    Pending,

    /// <summary>pkiStatus FAILURE: the server refused; see the failInfo.</summary>
    Failed,
}
