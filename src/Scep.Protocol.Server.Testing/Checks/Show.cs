using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>Values as a failure message shows them.</summary>
internal static class Show
{
    public static string Value(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        DateTimeOffset t => t.ToString("o", CultureInfo.InvariantCulture),
        byte[] b => $"{b.Length} bytes",
        bool b => b ? "true" : "false",
        IReadOnlyDictionary<string, string> map => "{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\": \"{p.Value}\"")) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static string Entity(EndEntity? entity) =>
        entity is null ? "null" : $"entity {Value(entity.Username)} (status {entity.Status}, version {entity.Version})";

    public static string Transaction(ScepTransaction? transaction) =>
        transaction is null ? "null" : $"transaction {Value(transaction.Alias)}/{Value(transaction.TransactionId)} (state {transaction.State}, version {transaction.Version})";

    public static string Certificate(IssuedCertificateRecord? certificate) =>
        certificate is null ? "null" : $"certificate {certificate.SerialNumber}";

    public static string Certificates(IEnumerable<IssuedCertificateRecord> certificates)
    {
        var serials = certificates.Select(c => c.SerialNumber).ToList();
        return serials.Count == 0 ? "none" : string.Join(", ", serials);
    }

    /// <summary>A CertRep as its status, failInfo and reason.</summary>
    public static string Reply(PkiMessage reply) => reply.Status switch
    {
        PkiStatus.Success => "SUCCESS",
        PkiStatus.Pending => "PENDING",
        PkiStatus.Failure => $"FAILURE {reply.FailInfo} ({reply.FailInfoText})",
        _ => "a CertRep without a pkiStatus",
    };

    public static string Approval(PendingApproval? pending) =>
        pending is null ? "null" : $"request {Value(pending.Id)} ({pending.State})";
}
