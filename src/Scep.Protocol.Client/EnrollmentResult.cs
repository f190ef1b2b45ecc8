using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client;

/// <summary>
/// The verified answer to a PKCSReq, RenewalReq or CertPoll: issued (with the certificate), pending (poll
/// later with <see cref="Transaction"/>) or failed (with the failInfo). Only replies that passed every check
/// of RFC 8894 §3.3.2 become a result; anything else is an exception.
/// </summary>
public sealed class EnrollmentResult
{
    private EnrollmentResult(EnrollmentStatus status, EnrollmentTransaction transaction, PkiMessage request, PkiMessage reply)
    {
        Status = status;
        Transaction = transaction;
        Request = request;
        Reply = reply;
    }

    /// <summary>Issued, pending or failed.</summary>
    public EnrollmentStatus Status { get; }

    /// <summary>The issued certificate (found by the requested public key, not by position); null unless issued.</summary>
    public X509Certificate2? Certificate { get; private init; }

    /// <summary>The other certificates the reply carried, normally the CA chain, in the order of the encoding.</summary>
    public IReadOnlyList<X509Certificate2> AdditionalCertificates { get; private init; } = [];

    /// <summary>Why the server refused; null unless failed (badRequest when the server omitted it).</summary>
    public FailInfo? FailInfo { get; private init; }

    /// <summary>The server's failInfoText (RFC 8894 §3.2.1.4.1): untrusted text, to show, not to interpret; null when absent.</summary>
    public string? FailInfoText { get; private init; }

    /// <summary>The transactionID, the same for the request, its polls and their replies.</summary>
    public string TransactionId => Transaction.TransactionId;

    /// <summary>The transaction, to poll with while <see cref="Status"/> is pending.</summary>
    public EnrollmentTransaction Transaction { get; }

    /// <summary>The request this result answers (the original request, or the last CertPoll).</summary>
    public PkiMessage Request { get; }

    /// <summary>The server's CertRep, verified: signed by a CA certificate, same transactionID, recipientNonce = our senderNonce.</summary>
    public PkiMessage Reply { get; }

    internal static EnrollmentResult Issued(EnrollmentTransaction transaction, PkiMessage request, PkiMessage reply, X509Certificate2 certificate, IReadOnlyList<X509Certificate2> others) =>
        new(EnrollmentStatus.Issued, transaction, request, reply) { Certificate = certificate, AdditionalCertificates = others };

    internal static EnrollmentResult Pending(EnrollmentTransaction transaction, PkiMessage request, PkiMessage reply) =>
        new(EnrollmentStatus.Pending, transaction, request, reply);

    internal static EnrollmentResult Failed(EnrollmentTransaction transaction, PkiMessage request, PkiMessage reply) =>
        new(EnrollmentStatus.Failed, transaction, request, reply) { FailInfo = reply.FailInfo ?? Protocol.FailInfo.BadRequest, FailInfoText = reply.FailInfoText };

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        EnrollmentStatus.Issued => $"Issued {Certificate!.Subject} serial {Certificate.SerialNumber} transactionID={TransactionId}",
        EnrollmentStatus.Failed => $"Failed {FailInfo}{(FailInfoText is null ? string.Empty : ": " + FailInfoText)} transactionID={TransactionId}",
        _ => $"Pending transactionID={TransactionId}",
    };
}
