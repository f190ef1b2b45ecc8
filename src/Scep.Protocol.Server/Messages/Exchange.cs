using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>
/// One PKIOperation request and its reply: which alias and CA it came to, and which CA answers. RFC 8894 §3.3.2: the
/// CertRep echoes the request's transactionID and senderNonce (as recipientNonce) and is signed by the CA or its RA;
/// during a rollover (§4.7) the CA is the one the client enveloped its request to, so a client that trusts only the
/// next CA can verify the reply.
/// </summary>
internal sealed class Exchange(AliasRuntime alias, ScepCaCredentials credentials, PkiMessage request, DateTimeOffset now)
{
    /// <summary>The alias.</summary>
    public AliasRuntime Alias { get; } = alias;

    /// <summary>The alias's CA: current certificate, next CA during a rollover, previous certificates.</summary>
    public ScepCaCredentials Credentials { get; } = credentials;

    /// <summary>The decoded request.</summary>
    public PkiMessage Request { get; } = request;

    /// <summary>When the server received it.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The CA the request was enveloped to (<see cref="Credentials"/> or its <see cref="ScepCaCredentials.Next"/>): it signs the reply and issues.</summary>
    public ScepCaCredentials Recipient { get; set; } = credentials;

    /// <summary>Whether the request was enveloped to the next CA (RFC 8894 §4.7 rollover).</summary>
    public bool IsForNextCa => !ReferenceEquals(Recipient, Credentials);

    /// <summary>The enrollment's PKCS#10 request, once decrypted (for the observers of a refusal).</summary>
    public Pkcs10Request? Csr { get; set; }

    /// <summary>The request's content cipher, once decrypted: the reply's envelope uses it (interop lessons 29).</summary>
    public ContentEncryptionAlgorithm? ContentEncryption { get; set; }

    private CertRepParameters Parameters => new()
    {
        SignerCertificate = Recipient.SigningCertificate,
        SignerKey = Recipient.SigningKey,
        SigningTime = Now,
        DigestAlgorithm = Alias.ReplyDigest(Request),
        ContentEncryption = ContentEncryption,
    };

    /// <summary>A signed FAILURE with the refusal's failInfo and failInfoText (RFC 8894 §3.3.2.2).</summary>
    public OperationResult Failure(ScepRefusal refusal) => new(CertRep.CreateFailure(Request, refusal.FailInfo, refusal.Reason, Parameters), refusal);

    /// <summary>A signed PENDING (RFC 8894 §3.3.2.1).</summary>
    public OperationResult Pending() => new(CertRep.CreatePending(Request, Parameters), null);

    /// <summary>A SUCCESS with a certificate and the alias's extras for the CA that issued it (current, next or previous).</summary>
    /// <param name="certificate">The certificate's DER.</param>
    /// <param name="issuer">The CA that issued it, when known; otherwise found from the certificate.</param>
    public OperationResult Issued(ReadOnlyMemory<byte> certificate, ScepCaCredentials? issuer = null)
    {
        issuer ??= CaCertificateLookup.IssuerOfCertificate(certificate, Credentials);
        return Success([certificate, .. Alias.ReplyExtras(issuer.CaCertificate, issuer.Chain).Select(c => c.RawDataMemory)]);
    }

    /// <summary>A SUCCESS carrying certificates and CRLs (RFC 8894 §3.3.2: a degenerate certificates-only SignedData, enveloped to the requester).</summary>
    public OperationResult Success(IEnumerable<ReadOnlyMemory<byte>> certificates, IEnumerable<ReadOnlyMemory<byte>>? crls = null)
    {
        var set = DegenerateCertificateSet.CreateFromEncoded(certificates, crls);
        return new OperationResult(CertRep.CreateSuccess(Request, set, Parameters), null);
    }

}
