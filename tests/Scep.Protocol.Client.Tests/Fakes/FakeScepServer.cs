using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Fakes;

/// <summary>How the fake server spoils a reply, to test the client's checks (RFC 8894 §3.3.2).</summary>
public enum ReplyTampering
{
    None,
    WrongRecipientNonce,
    WrongTransactionId,
    SignedByStranger,
    IssuedForOtherKey,
    IssuedByStranger,
}

/// <summary>One HTTP request the fake server received, with the pkiMessage it carried, verified and decrypted.</summary>
public sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    string Operation,
    string? ContentType,
    long? ContentLength,
    bool? Chunked,
    PkiMessage? Message,
    PkiMessageContent? Content);

/// <summary>
/// An in-process SCEP server built on the codecs, as an <see cref="HttpMessageHandler"/>: GetCACaps, GetCACert,
/// GetNextCACert, and PKIOperation for PKCSReq, RenewalReq, CertPoll, GetCert and GetCRL. Behaviour is set per
/// test: capabilities, RA certificates, pending replies before issue, failure, reply algorithms, tampering.
/// </summary>
public sealed class FakeScepServer : HttpMessageHandler
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, X509Certificate2> _issued = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<TestCredential> _stranger = new(() => TestPki.CreateCa("CN=Stranger CA,O=Elsewhere"));

    public FakeScepServer(TestCredential? ca = null)
    {
        Ca = ca ?? TestPki.Ca;
        ReplySigner = Ca;
        Decrypter = Ca;
    }

    public TestCredential Ca { get; }

    /// <summary>Signs CertReps (an RA signing certificate in RA mode).</summary>
    public TestCredential ReplySigner { get; set; }

    /// <summary>Decrypts requests (an RA encryption certificate in RA mode).</summary>
    public TestCredential Decrypter { get; set; }

    /// <summary>The certificates GetCACert returns, in this order; the CA alone when empty.</summary>
    public List<X509Certificate2> CaCertificates { get; } = [];

    public string Capabilities { get; set; } = "POSTPKIOperation\nSHA-256\nAES\nDES3\nRenewal\nSHA-1";

    public HttpStatusCode CapabilitiesStatus { get; set; } = HttpStatusCode.OK;

    /// <summary>When set, every PKIOperation gets this HTTP status and a text body.</summary>
    public HttpStatusCode? PkiOperationStatus { get; set; }

    /// <summary>How many PENDING replies a request gets before its certificate is issued.</summary>
    public int PendingReplies { get; set; }

    /// <summary>When set, enrollments and polls are refused with this failInfo and text.</summary>
    public (FailInfo FailInfo, string? Text)? Refusal { get; set; }

    public ContentEncryptionAlgorithm? ReplyEncryption { get; set; }

    public HashAlgorithmName? ReplyDigest { get; set; }

    public ReplyTampering Tampering { get; set; }

    /// <summary>Whether SUCCESS replies carry the CA certificate before the issued one.</summary>
    public bool CaCertificateFirstInReply { get; set; } = true;

    /// <summary>The next CA certificate GetNextCACert announces; 404 when null.</summary>
    public X509Certificate2? NextCaCertificate { get; set; }

    /// <summary>Signs the GetNextCACert reply; the CA when null.</summary>
    public TestCredential? NextCaReplySigner { get; set; }

    /// <summary>The CRL GetCRL returns; FAILURE badRequest when null.</summary>
    public byte[]? Crl { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public IReadOnlyList<RecordedRequest> PkiOperations => Requests.Where(r => r.Message is not null).ToArray();

    public TestCredential Stranger => _stranger.Value;

    /// <summary>A CRL signed by <paramref name="issuer"/> revoking one serial number.</summary>
    public static byte[] CreateCrl(TestCredential issuer, byte[] revokedSerial)
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revokedSerial, Now.AddDays(-1), X509RevocationReason.KeyCompromise);
        using var signing = issuer.Certificate.CopyWithPrivateKey((RSA)issuer.Key);
        return builder.Build(signing, BigInteger.One, Now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, Now);
    }

    public X509Certificate2 IssueDirectly(string subject, AsymmetricAlgorithm key)
    {
        var issued = TestPki.Issue(Ca, subject, key).Certificate;
        _issued[issued.SerialNumber] = issued;
        return issued;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var query = ParseQuery(request.RequestUri!.Query);
        var operation = query.GetValueOrDefault("operation") ?? string.Empty;
        switch (operation)
        {
            case "GetCACaps":
                Record(request, operation, null, null);
                return Reply(CapabilitiesStatus, ScepContentTypes.Capabilities, Encoding.ASCII.GetBytes(Capabilities));
            case "GetCACert":
                Record(request, operation, null, null);
                var set = Protocol.CaCertificates.Create(CaCertificates.Count > 0 ? CaCertificates : [Ca.Certificate]);
                return Reply(HttpStatusCode.OK, set.ContentType, set.Encode());
            case "GetNextCACert":
                Record(request, operation, null, null);
                if (NextCaCertificate is null)
                {
                    return Reply(HttpStatusCode.NotFound, "text/plain", Encoding.ASCII.GetBytes("no rollover certificate"));
                }

                var signer = NextCaReplySigner ?? Ca;
                var next = NextCaCertificates.Create([NextCaCertificate], signer.Certificate, signer.Key, HashAlgorithmName.SHA256, Now);
                return Reply(HttpStatusCode.OK, ScepContentTypes.NextCaCertificate, next.Encode());
            case "PKIOperation":
                return await PkiOperationAsync(request, query, cancellationToken);
            default:
                Record(request, operation, null, null);
                return Reply(HttpStatusCode.BadRequest, "text/plain", Encoding.ASCII.GetBytes("unknown operation"));
        }
    }

    private async Task<HttpResponseMessage> PkiOperationAsync(HttpRequestMessage request, Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        byte[] body = request.Method == HttpMethod.Post
            ? await request.Content!.ReadAsByteArrayAsync(cancellationToken)
            : ScepBase64.DecodeQueryValue(query["message"]);
        if (!PkiMessage.TryDecode(body, out var message, out var consumed) || consumed != body.Length)
        {
            Record(request, "PKIOperation", null, null);
            return Reply(HttpStatusCode.BadRequest, "text/plain", Encoding.ASCII.GetBytes("not a pkiMessage"));
        }

        PkiMessageContent content;
        try
        {
            message.VerifySignature(ScepAlgorithmPolicy.Legacy);
            content = message.Decrypt(Decrypter.Certificate, (RSA)Decrypter.Key, ScepAlgorithmPolicy.Legacy);
        }
        catch (ScepException e)
        {
            Record(request, "PKIOperation", message, null);
            return Reply(HttpStatusCode.OK, ScepContentTypes.PkiMessage, CertRep.CreateFailure(message, e.FailInfo, e.Message, Parameters()).Encode());
        }

        Record(request, "PKIOperation", message, content);
        if (PkiOperationStatus is { } status)
        {
            return Reply(status, "text/plain", Encoding.ASCII.GetBytes("operation not implemented"));
        }

        var reply = message.MessageType switch
        {
            MessageType.PKCSReq or MessageType.RenewalReq => Enroll(message, content.CertificationRequest!),
            MessageType.CertPoll => Poll(message),
            MessageType.GetCert => GetCert(message, content.IssuerAndSerialNumber!),
            MessageType.GetCRL => GetCrl(message),
            _ => CertRep.CreateFailure(message, FailInfo.BadRequest, "unsupported message type", Parameters()),
        };
        return Reply(HttpStatusCode.OK, ScepContentTypes.PkiMessage, reply.Encode());
    }

    private PkiMessage Enroll(PkiMessage request, Pkcs10Request csr)
    {
        _pending[request.TransactionId] = new PendingRequest(csr, PendingReplies);
        return Poll(request);
    }

    private PkiMessage Poll(PkiMessage request)
    {
        if (Refusal is { } refusal)
        {
            return Reply(request, r => CertRep.CreateFailure(r, refusal.FailInfo, refusal.Text, Parameters()));
        }

        if (!_pending.TryGetValue(request.TransactionId, out var pending))
        {
            return CertRep.CreateFailure(request, FailInfo.BadRequest, "unknown transaction", Parameters());
        }

        if (pending.RepliesLeft > 0)
        {
            _pending[request.TransactionId] = pending with { RepliesLeft = pending.RepliesLeft - 1 };
            return Reply(request, r => CertRep.CreatePending(r, Parameters()));
        }

        var issued = Issue(pending.Csr);
        List<X509Certificate2> certificates = CaCertificateFirstInReply ? [Ca.Certificate, issued] : [issued, Ca.Certificate];
        return Reply(request, r => CertRep.CreateSuccess(r, DegenerateCertificateSet.Create(certificates), Parameters()));
    }

    private PkiMessage GetCert(PkiMessage request, IssuerAndSerialNumber wanted)
    {
        return _issued.TryGetValue(wanted.SerialNumberHex, out var certificate) && wanted.Matches(certificate)
            ? Reply(request, r => CertRep.CreateSuccess(r, DegenerateCertificateSet.Create([certificate]), Parameters()))
            : Reply(request, r => CertRep.CreateFailure(r, FailInfo.BadCertId, "no such certificate", Parameters()));
    }

    private PkiMessage GetCrl(PkiMessage request)
    {
        return Crl is { } crl
            ? Reply(request, r => CertRep.CreateSuccess(r, DegenerateCertificateSet.Create([], [crl]), Parameters()))
            : Reply(request, r => CertRep.CreateFailure(r, FailInfo.BadRequest, "no CRL here", Parameters()));
    }

    private X509Certificate2 Issue(Pkcs10Request csr)
    {
        var issuer = Tampering == ReplyTampering.IssuedByStranger ? Stranger : Ca;
        var publicKey = csr.PublicKey;
        if (Tampering == ReplyTampering.IssuedForOtherKey)
        {
            publicKey = TestPki.CachedRsa(99).ExportSubjectPublicKeyInfo() is var other
                ? PublicKey.CreateFromSubjectPublicKeyInfo(other, out _)
                : publicKey;
        }

        var request = new CertificateRequest(csr.Subject, publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var generator = X509SignatureGenerator.CreateForRSA((RSA)issuer.Key, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(issuer.Certificate.SubjectName, generator, TestPki.NotBefore, TestPki.NotBefore.AddYears(2), TestPki.NextSerial());
        var issued = X509CertificateLoader.LoadCertificate(certificate.RawData);
        _issued[issued.SerialNumber] = issued;
        return issued;
    }

    /// <summary>Builds the reply to the request, or, when tampering, to a twin of it with a wrong nonce or transactionID.</summary>
    private PkiMessage Reply(PkiMessage request, Func<PkiMessage, PkiMessage> build)
    {
        var answered = Tampering switch
        {
            ReplyTampering.WrongRecipientNonce => Twin(request, request.TransactionId, ScepNonce.Create()),
            ReplyTampering.WrongTransactionId => Twin(request, "OTHER-" + request.TransactionId, request.SenderNonce),
            _ => request,
        };
        return build(answered);
    }

    private PkiMessage Twin(PkiMessage request, string transactionId, ReadOnlyMemory<byte> senderNonce) =>
        PkiMessage.CreateRequest(request.MessageType, [0x05, 0x00], new PkiRequestParameters
        {
            TransactionId = transactionId,
            SenderNonce = senderNonce,
            SignerCertificate = request.SignerCertificate!,
            SignerKey = Stranger.Key,
            RecipientCertificate = Ca.Certificate,
        });

    private CertRepParameters Parameters()
    {
        var signer = Tampering == ReplyTampering.SignedByStranger ? Stranger : ReplySigner;
        return new CertRepParameters
        {
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            SigningTime = Now,
            ContentEncryption = ReplyEncryption,
            DigestAlgorithm = ReplyDigest,
        };
    }

    private void Record(HttpRequestMessage request, string operation, PkiMessage? message, PkiMessageContent? content) =>
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            operation,
            request.Content?.Headers.ContentType?.MediaType,
            request.Content?.Headers.ContentLength,
            request.Headers.TransferEncodingChunked,
            message,
            content));

    private static HttpResponseMessage Reply(HttpStatusCode status, string contentType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return new HttpResponseMessage(status) { Content = content };
    }

    /// <summary>The raw query parameters, values left escaped (the message parameter is decoded by <see cref="ScepBase64"/>).</summary>
    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                result[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return result;
    }

    private sealed record PendingRequest(Pkcs10Request Csr, int RepliesLeft);
}
