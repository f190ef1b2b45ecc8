using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>A certificate on record at an <see cref="ICertificateStore"/>. Immutable.</summary>
/// <param name="SerialNumber">Upper-case hex, no separators: the key.</param>
/// <param name="IssuerId">The issuing CA (<see cref="ScepCaCredentials.IdOf"/>: SHA-256 of its certificate, hex).</param>
/// <param name="Subject">The subject, as <c>X500DistinguishedName.Name</c> gives it.</param>
/// <param name="Username">The end entity it was issued for, when known.</param>
/// <param name="Alias">The alias it was issued through, when known.</param>
/// <param name="TransactionId">The SCEP transactionID, when known.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="IssuedAt">When it was recorded.</param>
/// <param name="RawData">The DER.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
/// <param name="RevocationReason">Why, when a reason was given.</param>
public sealed record IssuedCertificateRecord(
    string SerialNumber,
    string IssuerId,
    string Subject,
    string? Username,
    string? Alias,
    string? TransactionId,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset IssuedAt,
    byte[] RawData,
    DateTimeOffset? RevokedAt = null,
    X509RevocationReason? RevocationReason = null);

/// <summary>A CRL entry. Immutable.</summary>
/// <param name="SerialNumber">Upper-case hex.</param>
/// <param name="RevokedAt">The revocation date.</param>
/// <param name="Reason">The reason code, when one was given.</param>
public sealed record RevokedCertificate(string SerialNumber, DateTimeOffset RevokedAt, X509RevocationReason? Reason);

/// <summary>A CA's current CRL, as stored so that every instance serves the same one. Immutable.</summary>
/// <param name="IssuerId">The CA.</param>
/// <param name="Number">Its CRL number.</param>
/// <param name="Revision">The revocation revision it covers (<see cref="ICertificateStore.GetRevisionAsync"/>).</param>
/// <param name="ThisUpdate">thisUpdate.</param>
/// <param name="NextUpdate">nextUpdate.</param>
/// <param name="RawData">The DER.</param>
public sealed record StoredCrl(string IssuerId, long Number, long Revision, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, byte[] RawData);

/// <summary>What <see cref="ICertificateStore.RevokeAsync"/> did.</summary>
public enum RevocationResult
{
    /// <summary>The certificate is revoked now.</summary>
    Revoked = 1,

    /// <summary>It was revoked before (the first revocation's date and reason stay).</summary>
    AlreadyRevoked,

    /// <summary>No certificate has this serial number.</summary>
    NotFound,
}

/// <summary>What became of a request held for approval.</summary>
public enum ApprovalState
{
    /// <summary>Waiting for an operator.</summary>
    Pending = 0,

    /// <summary>Approved: the certificate was issued and is delivered at the next poll.</summary>
    Approved = 1,

    /// <summary>Rejected with a reason.</summary>
    Rejected = 2,
}

/// <summary>An enrollment held for an operator's approval (<see cref="IssuingAuthorityOptions.ApprovalAliases"/>). Immutable.</summary>
/// <param name="Id">The reference the client's polls are answered by.</param>
/// <param name="Alias">The alias.</param>
/// <param name="IssuerId">The CA that is to issue.</param>
/// <param name="TransactionId">The SCEP transactionID.</param>
/// <param name="Username">The end entity, when known.</param>
/// <param name="Subject">The subject the certificate will have, as text.</param>
/// <param name="SubjectDer">The same subject, DER.</param>
/// <param name="Csr">The PKCS#10 request, DER.</param>
/// <param name="RequestedAt">When it arrived.</param>
/// <param name="State">Pending, approved or rejected.</param>
/// <param name="Reason">The rejection's reason.</param>
/// <param name="CertificateSerial">The serial number of the certificate an approval issued.</param>
/// <param name="DecidedAt">When it was decided.</param>
/// <param name="CaName">The alias's CA name when it arrived (the CA whose key issues at approval).</param>
public sealed record PendingApproval(
    string Id,
    string Alias,
    string IssuerId,
    string TransactionId,
    string? Username,
    string Subject,
    byte[] SubjectDer,
    byte[] Csr,
    DateTimeOffset RequestedAt,
    ApprovalState State,
    string? Reason = null,
    string? CertificateSerial = null,
    DateTimeOffset? DecidedAt = null,
    string CaName = "default");

/// <summary>Which certificates <see cref="ICertificateStore.ListAsync"/> returns, oldest first.</summary>
public sealed record CertificateQuery
{
    /// <summary>Part of the subject (case-insensitive), or the start of the serial number; null for all.</summary>
    public string? Search { get; init; }

    /// <summary>How many to skip.</summary>
    public int Skip { get; init; }

    /// <summary>How many at most. Default: 100.</summary>
    public int Take { get; init; } = 100;
}
