namespace Scep.Protocol;

/// <summary>The pkiStatus attribute of a CertRep (RFC 8894 §3.2.1.3), with its wire value.</summary>
public enum PkiStatus
{
    /// <summary>The request was granted (0).</summary>
    Success = 0,

    /// <summary>The request was rejected; a <see cref="Protocol.FailInfo"/> says why (2).</summary>
    Failure = 2,

    /// <summary>The request awaits manual approval (3).</summary>
    Pending = 3,
}
