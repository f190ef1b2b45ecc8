namespace Scep.Protocol;

/// <summary>The failInfo attribute of a FAILURE CertRep (RFC 8894 §3.2.1.4), with its wire value.</summary>
public enum FailInfo
{
    /// <summary>Unrecognised or unsupported algorithm (0).</summary>
    BadAlg = 0,

    /// <summary>Integrity check (signature verification or decryption) failed (1).</summary>
    BadMessageCheck = 1,

    /// <summary>Transaction not permitted or not supported (2).</summary>
    BadRequest = 2,

    /// <summary>The signingTime attribute was not close enough to the server's time (3).</summary>
    BadTime = 3,

    /// <summary>No certificate could be identified matching the criteria (4).</summary>
    BadCertId = 4,
}
