namespace Scep.Protocol;

/// <summary>The capability keywords of GetCACaps (RFC 8894 §3.5.2 and the IANA SCEP registry).</summary>
public enum CaCapability
{
    /// <summary><c>AES</c>: AES-128-CBC content encryption.</summary>
    Aes = 1,

    /// <summary><c>DES3</c>: triple-DES content encryption.</summary>
    Des3,

    /// <summary><c>GetNextCACert</c>: CA rollover.</summary>
    GetNextCACert,

    /// <summary><c>POSTPKIOperation</c>: PKIOperation over HTTP POST.</summary>
    PostPkiOperation,

    /// <summary><c>Renewal</c>: RenewalReq (and renewal by a PKCSReq signed with the old certificate).</summary>
    Renewal,

    /// <summary><c>SHA-1</c>.</summary>
    Sha1,

    /// <summary><c>SHA-256</c>.</summary>
    Sha256,

    /// <summary><c>SHA-512</c>.</summary>
    Sha512,

    /// <summary><c>SCEPStandard</c>: RFC 8894 compliance; implies AES, POSTPKIOperation and SHA-256.</summary>
    ScepStandard,

    /// <summary><c>Update</c>: the draft-era UpdateReq.</summary>
    Update,
}
