namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>Field by field comparisons of what was written with what a store read back.</summary>
internal static class Compare
{
    public static void Entity(CheckContext context, EndEntity written, EndEntity? read, long expectedVersion, string expected)
    {
        context.Expect(read is not null, expected, "FindAsync returned null");
        context.Differences()
            .Value("Username", written.Username, read!.Username)
            .Value("EnrollmentCodeHash", written.EnrollmentCodeHash, read.EnrollmentCodeHash)
            .Value("Status", written.Status, read.Status)
            .Value("SubjectDn", written.SubjectDn, read.SubjectDn)
            .Value("Alias", written.Alias, read.Alias)
            .Map("ProfileData", written.ProfileData, read.ProfileData)
            .Time("StatusChangedAt", written.StatusChangedAt, read.StatusChangedAt)
            .Time("EnrollmentCodeExpiresAt", written.EnrollmentCodeExpiresAt, read.EnrollmentCodeExpiresAt)
            .Value("FailedCodeAttempts", written.FailedCodeAttempts, read.FailedCodeAttempts)
            .Value("Version", expectedVersion, read.Version)
            .ThrowIfAny(context, expected);
    }

    public static void Transaction(CheckContext context, ScepTransaction written, ScepTransaction? read, long expectedVersion, string expected)
    {
        context.Expect(read is not null, expected, "FindAsync returned null");
        context.Differences()
            .Value("Alias", written.Alias, read!.Alias)
            .Value("TransactionId", written.TransactionId, read.TransactionId)
            .Value("RequesterKeyId", written.RequesterKeyId, read.RequesterKeyId)
            .Value("State", written.State, read.State)
            .Value("MessageType", written.MessageType, read.MessageType)
            .Value("Username", written.Username, read.Username)
            .Value("PreviousEntityStatus", written.PreviousEntityStatus, read.PreviousEntityStatus)
            .Bytes("IssuedCertificate", written.IssuedCertificate, read.IssuedCertificate)
            .Value("PendingKind", written.PendingKind, read.PendingKind)
            .Value("PendingReference", written.PendingReference, read.PendingReference)
            .Bytes("PendingRequest", written.PendingRequest, read.PendingRequest)
            .Value("FailInfo", written.FailInfo, read.FailInfo)
            .Value("FailInfoText", written.FailInfoText, read.FailInfoText)
            .Value("RefusalCategory", written.RefusalCategory, read.RefusalCategory)
            .Time("CreatedAt", written.CreatedAt, read.CreatedAt)
            .Time("UpdatedAt", written.UpdatedAt, read.UpdatedAt)
            .Value("Version", expectedVersion, read.Version)
            .ThrowIfAny(context, expected);
    }

    public static void Certificate(CheckContext context, IssuedCertificateRecord written, IssuedCertificateRecord? read, string expected)
    {
        context.Expect(read is not null, expected, "null");
        context.Differences()
            .Value("SerialNumber", written.SerialNumber, read!.SerialNumber)
            .Value("IssuerId", written.IssuerId, read.IssuerId)
            .Value("Subject", written.Subject, read.Subject)
            .Value("Username", written.Username, read.Username)
            .Value("Alias", written.Alias, read.Alias)
            .Value("TransactionId", written.TransactionId, read.TransactionId)
            .Time("NotBefore", written.NotBefore, read.NotBefore)
            .Time("NotAfter", written.NotAfter, read.NotAfter)
            .Time("IssuedAt", written.IssuedAt, read.IssuedAt)
            .Bytes("RawData", written.RawData, read.RawData)
            .Time("RevokedAt", written.RevokedAt, read.RevokedAt)
            .Value("RevocationReason", written.RevocationReason, read.RevocationReason)
            .ThrowIfAny(context, expected);
    }

    public static void Crl(CheckContext context, StoredCrl written, StoredCrl? read, string expected)
    {
        context.Expect(read is not null, expected, "GetCrlAsync returned null");
        context.Differences()
            .Value("IssuerId", written.IssuerId, read!.IssuerId)
            .Value("Number", written.Number, read.Number)
            .Value("Revision", written.Revision, read.Revision)
            .Time("ThisUpdate", written.ThisUpdate, read.ThisUpdate)
            .Time("NextUpdate", written.NextUpdate, read.NextUpdate)
            .Bytes("RawData", written.RawData, read.RawData)
            .ThrowIfAny(context, expected);
    }

    public static void Approval(CheckContext context, PendingApproval written, PendingApproval? read, string expected)
    {
        context.Expect(read is not null, expected, "FindPendingAsync returned null");
        context.Differences()
            .Value("Id", written.Id, read!.Id)
            .Value("Alias", written.Alias, read.Alias)
            .Value("IssuerId", written.IssuerId, read.IssuerId)
            .Value("TransactionId", written.TransactionId, read.TransactionId)
            .Value("Username", written.Username, read.Username)
            .Value("Subject", written.Subject, read.Subject)
            .Bytes("SubjectDer", written.SubjectDer, read.SubjectDer)
            .Bytes("Csr", written.Csr, read.Csr)
            .Time("RequestedAt", written.RequestedAt, read.RequestedAt)
            .Value("State", written.State, read.State)
            .Value("Reason", written.Reason, read.Reason)
            .Value("CertificateSerial", written.CertificateSerial, read.CertificateSerial)
            .Time("DecidedAt", written.DecidedAt, read.DecidedAt)
            .Value("CaName", written.CaName, read.CaName)
            .ThrowIfAny(context, expected);
    }
}
