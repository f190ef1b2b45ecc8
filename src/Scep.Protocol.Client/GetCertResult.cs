using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client;

/// <summary>The verified answer to a GetCert (RFC 8894 §3.3.4): the certificate, or the server's refusal.</summary>
public sealed class GetCertResult
{
    private GetCertResult(PkiStatus status, PkiMessage request, PkiMessage reply)
    {
        Status = status;
        Request = request;
        Reply = reply;
    }

    /// <summary>The pkiStatus: SUCCESS, FAILURE, or (not foreseen by RFC 8894 for GetCert, but reported as sent) PENDING.</summary>
    public PkiStatus Status { get; }

    /// <summary>The certificate asked for (matched by issuer and serial number, else the first); null unless SUCCESS.</summary>
    public X509Certificate2? Certificate { get; private init; }

    /// <summary>All certificates of the reply, in the order of the encoding.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; private init; } = [];

    /// <summary>Why the server refused (badCertId for an unknown certificate); null unless FAILURE.</summary>
    public FailInfo? FailInfo { get; private init; }

    /// <summary>The server's failInfoText, untrusted; null when absent.</summary>
    public string? FailInfoText { get; private init; }

    /// <summary>The GetCert request that was sent.</summary>
    public PkiMessage Request { get; }

    /// <summary>The verified CertRep.</summary>
    public PkiMessage Reply { get; }

    internal static GetCertResult Success(PkiMessage request, PkiMessage reply, X509Certificate2 certificate, IReadOnlyList<X509Certificate2> certificates) =>
        new(PkiStatus.Success, request, reply) { Certificate = certificate, Certificates = certificates };

    internal static GetCertResult NotSuccess(PkiMessage request, PkiMessage reply) =>
        new(reply.Status!.Value, request, reply) { FailInfo = reply.FailInfo, FailInfoText = reply.FailInfoText };
}
