namespace Scep.Protocol.Server;

/// <summary>
/// Why a request was refused, as the operator needs to know it. The client may see less: in CA mode an unknown
/// user, a wrong code, a spent code and a locked entity all get the same failInfoText (EJBCA), so that the reply
/// tells an attacker nothing; the log line and the observers get the category.
/// </summary>
public enum RefusalCategory
{
    /// <summary>The message could not be read or failed a check of RFC 8894 §3 (signature, digest, envelope, content).</summary>
    MessageCheck = 1,

    /// <summary>An algorithm the alias does not accept (digest, cipher, or a signer key a reply cannot be encrypted to).</summary>
    Algorithm,

    /// <summary>The signingTime is too far from the server's clock.</summary>
    SigningTime,

    /// <summary>The messageType is not served here.</summary>
    UnsupportedMessage,

    /// <summary>CA mode: no end entity has the request's CN as its username.</summary>
    UnknownEntity,

    /// <summary>CA mode: the challengePassword is not the entity's enrollment code.</summary>
    WrongCode,

    /// <summary>CA mode: the entity's status does not allow enrollment (not NEW: failed, revoked, historical, or in process).</summary>
    StatusNotNew,

    /// <summary>CA mode: the entity's one-time code was already used (a certificate was issued with it).</summary>
    CodeAlreadyUsed,

    /// <summary>CA mode: the entity's enrollment code has expired.</summary>
    CodeExpired,

    /// <summary>CA mode: too many wrong codes; the entity is FAILED until an administrator resets it.</summary>
    LockedOut,

    /// <summary>CA mode: the entity belongs to another alias.</summary>
    WrongAlias,

    /// <summary>A challenge validator denied the request (RA challenge, webhook, MDM).</summary>
    ChallengeDenied,

    /// <summary>A renewal the alias's renewal policy does not allow.</summary>
    RenewalPolicy,

    /// <summary>The request's key, subject or signer does not fit the enrollment (key mismatch, foreign signer).</summary>
    RequestMismatch,

    /// <summary>Another request holds the transaction or the end entity (a transactionID of another requester, a concurrent enrollment).</summary>
    Conflict,

    /// <summary>CertPoll, GetCert or GetCRL asked for something this server does not know.</summary>
    NotFound,

    /// <summary>The certificate authority rejected the request.</summary>
    AuthorityRejected,

    /// <summary>The answer would need a feature the alias has off (pending on an alias without approval, GetCRL without a CRL source).</summary>
    NotAvailable,
}
