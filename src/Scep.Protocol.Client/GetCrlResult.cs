using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Client;

/// <summary>The verified answer to a GetCRL (RFC 8894 §3.3.5): the CRL, or the server's refusal.</summary>
public sealed class GetCrlResult
{
    private GetCrlResult(PkiStatus status, PkiMessage request, PkiMessage reply)
    {
        Status = status;
        Request = request;
        Reply = reply;
    }

    /// <summary>The pkiStatus: SUCCESS, FAILURE, or PENDING as sent.</summary>
    public PkiStatus Status { get; }

    /// <summary>The DER CRL; empty unless SUCCESS. Its signature was verified with <see cref="CrlIssuer"/>.</summary>
    public ReadOnlyMemory<byte> Crl { get; private init; }

    /// <summary>The CA certificate whose key verified the CRL's signature; null unless SUCCESS.</summary>
    public X509Certificate2? CrlIssuer { get; private init; }

    /// <summary>Why the server refused; null unless FAILURE.</summary>
    public FailInfo? FailInfo { get; private init; }

    /// <summary>The server's failInfoText, untrusted; null when absent.</summary>
    public string? FailInfoText { get; private init; }

    /// <summary>The GetCRL request that was sent.</summary>
    public PkiMessage Request { get; }

    /// <summary>The verified CertRep.</summary>
    public PkiMessage Reply { get; }

    internal static GetCrlResult Success(PkiMessage request, PkiMessage reply, ReadOnlyMemory<byte> crl, X509Certificate2 issuer) =>
        new(PkiStatus.Success, request, reply) { Crl = crl, CrlIssuer = issuer };

    internal static GetCrlResult NotSuccess(PkiMessage request, PkiMessage reply) =>
        new(reply.Status!.Value, request, reply) { FailInfo = reply.FailInfo, FailInfoText = reply.FailInfoText };
}
