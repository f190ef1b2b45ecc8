using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// GetCACert, RFC 8894 §4.2: the CA certificate alone (application/x-x509-ca-cert), or with RA certificates a degenerate
/// PKCS#7 (application/x-x509-ca-ra-cert) with the RA certificates first (some clients take the first, interop lessons 32).
/// </summary>
internal sealed class GetCaCertOperation : ICaOperation
{
    public string Name => ScepOperation.GetCACert;

    public ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(AliasRuntime alias, ScepCaCredentials credentials, CancellationToken cancellationToken)
    {
        var reply = CaCertificates.Create(CertificateSet(alias, credentials));
        return ValueTask.FromResult((ScepHttpResponse.Ok(reply.ContentType, reply.RawData), "ok"));
    }

    /// <summary>RA certificates first, then the CA, then its chain per the alias; each certificate once.</summary>
    public static List<X509Certificate2> CertificateSet(AliasRuntime alias, ScepCaCredentials credentials)
    {
        var set = new List<X509Certificate2>();
        void Add(X509Certificate2 certificate)
        {
            if (!set.Any(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
            {
                set.Add(certificate);
            }
        }

        var ca = credentials.CaCertificate.RawDataMemory.Span;
        if (!credentials.DecryptionCertificate.RawDataMemory.Span.SequenceEqual(ca))
        {
            Add(credentials.DecryptionCertificate);
        }

        if (!credentials.SigningCertificate.RawDataMemory.Span.SequenceEqual(ca))
        {
            Add(credentials.SigningCertificate);
        }

        Add(credentials.CaCertificate);
        foreach (var certificate in alias.ChainToInclude(credentials.Chain))
        {
            Add(certificate);
        }

        return set;
    }
}
