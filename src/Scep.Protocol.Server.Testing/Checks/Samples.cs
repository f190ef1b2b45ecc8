using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>The records the store checks write.</summary>
internal static class Samples
{
    /// <summary>A whole second, so that every store's precision keeps it exactly.</summary>
    public static readonly DateTimeOffset Time = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A time with every tick used: round-trip checks see what a store's precision does to it.</summary>
    public static readonly DateTimeOffset FineTime = Time.AddTicks(1_234_567);

    public const string IssuerId = "6B1E0C8F0A2D3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4";

    public const string OtherIssuerId = "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0";

    /// <summary>An end entity with every field set (status NEW, version 0).</summary>
    public static EndEntity FullEntity(string username) => new()
    {
        Username = username,
        EnrollmentCodeHash = EnrollmentCode.Hash("contract-code-" + username),
        Status = EndEntityStatus.New,
        SubjectDn = "CN=" + username + ",OU=Contract Tests,O=Scep.Protocol,C=DE",
        Alias = "scep",
        ProfileData = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["profile"] = "router",
            ["validityDays"] = "365",
            ["empty"] = string.Empty,
            ["ünïcødé"] = "välue with spaces, \"quotes\" and = $ signs",
        },
        StatusChangedAt = FineTime,
        EnrollmentCodeExpiresAt = FineTime.AddDays(7).AddTicks(89),
        FailedCodeAttempts = 3,
    };

    /// <summary>An end entity with only the required fields (status NEW, version 0).</summary>
    public static EndEntity BareEntity(string username) => new()
    {
        Username = username,
        StatusChangedAt = Time,
    };

    /// <summary>A transaction with every field set (version 0).</summary>
    public static ScepTransaction FullTransaction(string alias, string transactionId) => new()
    {
        Alias = alias,
        TransactionId = transactionId,
        RequesterKeyId = Convert.ToHexString(SHA256.HashData(RandomNumberGenerator.GetBytes(32))),
        State = ScepTransactionState.Pending,
        MessageType = MessageType.PKCSReq,
        Username = "dévice-1",
        PreviousEntityStatus = EndEntityStatus.Generated,
        IssuedCertificate = RandomNumberGenerator.GetBytes(1200),
        PendingKind = ScepPendingKind.Approval,
        PendingReference = "REF-0001/ü",
        PendingRequest = RandomNumberGenerator.GetBytes(2100),
        FailInfo = FailInfo.BadCertId,
        FailInfoText = "A reason with ünïcødé, \"quotes\" and a\nline break.",
        RefusalCategory = RefusalCategory.AuthorityRejected,
        CreatedAt = FineTime,
        UpdatedAt = FineTime.AddMinutes(3).AddTicks(7),
    };

    /// <summary>A transaction with only the required fields (InProcess, version 0).</summary>
    public static ScepTransaction BareTransaction(string alias, string transactionId, string? username = null, ScepTransactionState state = ScepTransactionState.InProcess, ScepPendingKind? pendingKind = null) => new()
    {
        Alias = alias,
        TransactionId = transactionId,
        RequesterKeyId = "4B4559",
        State = state,
        MessageType = MessageType.PKCSReq,
        Username = username,
        PendingKind = pendingKind,
        CreatedAt = Time,
        UpdatedAt = Time,
    };

    /// <summary>A certificate record (the DER is random bytes: stores keep it, they do not read it).</summary>
    public static IssuedCertificateRecord Certificate(
        string serial, DateTimeOffset issuedAt, string? username = "device-1", string? alias = "scep", string? transactionId = null, string subject = "CN=device-1,O=Example", string issuerId = IssuerId) =>
        new(
            serial,
            issuerId,
            subject,
            username,
            alias,
            transactionId ?? "tx-" + serial,
            issuedAt.AddMinutes(-5),
            issuedAt.AddDays(365),
            issuedAt,
            RandomNumberGenerator.GetBytes(700));

    /// <summary>A serial number as stores key them: upper-case hex, 16 bytes.</summary>
    public static string Serial(int n) => "7A" + n.ToString("X30", CultureInfo.InvariantCulture);

    /// <summary>A request held for approval.</summary>
    public static PendingApproval Pending(string id, DateTimeOffset requestedAt, string? username = "device-1")
    {
        var subject = new X500DistinguishedName("CN=" + (username ?? "anonymous") + ",O=Example");
        return new PendingApproval(
            id, "scep", IssuerId, "tx-" + id, username, subject.Name, subject.RawData, RandomNumberGenerator.GetBytes(650), requestedAt, ApprovalState.Pending, CaName: "branch-ca");
    }
}
