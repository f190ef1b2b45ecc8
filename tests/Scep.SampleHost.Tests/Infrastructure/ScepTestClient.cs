using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>A SCEP client made of the codecs, over HTTP, for one endpoint path; replies are verified against the host's CA.</summary>
public sealed class ScepTestClient(HttpClient http, string path, CaKeyRing? cas = null, X509Certificate2? replySigner = null)
{
    public HttpClient Http { get; } = http;

    public string Path { get; } = path;

    public async Task<HttpResponseMessage> GetAsync(string operation, string? message = null) =>
        await Http.GetAsync($"{Path}?operation={operation}{(message is null ? string.Empty : "&message=" + message)}");

    public async Task<string> GetCapabilitiesAsync()
    {
        var response = await GetAsync("GetCACaps");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<CaCertificates> GetCaCertificatesAsync()
    {
        var response = await GetAsync("GetCACert");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return CaCertificates.Decode(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Sends a pkiMessage and returns the verified CertRep (HTTP 200, signed by the CA, addressed to the request).</summary>
    public async Task<PkiMessage> SendAsync(PkiMessage request, bool usePost = true)
    {
        HttpResponseMessage response;
        if (usePost)
        {
            using var content = new ByteArrayContent(request.RawData.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-pki-message");
            response = await Http.PostAsync($"{Path}?operation=PKIOperation", content);
        }
        else
        {
            response = await GetAsync("PKIOperation", ScepBase64.EncodeForQuery(request.RawData.Span));
        }

        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(body));
        response.Content.Headers.ContentType!.MediaType.Should().Be(ScepContentTypes.PkiMessage);
        var reply = PkiMessage.Decode(body);
        var signers = cas is not null ? new[] { cas.Current.Certificate } : replySigner is not null ? new[] { replySigner } : null;
        reply.VerifySignature(ScepAlgorithmPolicy.Legacy, signers);
        reply.EnsureIsReplyTo(request);
        return reply;
    }

    /// <summary>A device with its own key and self-signed signer certificate.</summary>
    public static Device NewDevice(string subject, string? challenge, int keySlot, X509Certificate2 recipient, ContentEncryptionAlgorithm encryption = ContentEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName? digest = null)
    {
        var key = TestPki.CachedRsa(keySlot);
        var signer = TestPki.CreateSelfSigned(subject, key);
        var csr = Scenario.Csr(subject, key, challenge);
        return new Device(signer, csr, recipient, encryption, digest ?? HashAlgorithmName.SHA256, ScepTransactionId.CreateRandom());
    }
}

/// <summary>A SCEP client's state for one enrollment.</summary>
public sealed record Device(TestCredential Signer, Pkcs10Request Csr, X509Certificate2 Recipient, ContentEncryptionAlgorithm Encryption, HashAlgorithmName Digest, string TransactionId)
{
    public PkiRequestParameters Parameters(string? transactionId = null) => new()
    {
        TransactionId = transactionId ?? TransactionId,
        SignerCertificate = Signer.Certificate,
        SignerKey = Signer.Key,
        RecipientCertificate = Recipient,
        ContentEncryption = Encryption,
        DigestAlgorithm = Digest,
        SigningTime = DateTimeOffset.UtcNow,
    };

    public PkiMessage PkcsReq() => PkiMessage.CreatePkcsReq(Csr, Parameters());

    public PkiMessage CertPoll(X509Certificate2 issuer) => PkiMessage.CreateCertPoll(IssuerAndSubject.Create(issuer.SubjectName, Csr.Subject), Parameters());

    public PkiMessage GetCert(X509Certificate2 certificate) =>
        PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(certificate), Parameters(ScepTransactionId.CreateRandom()));

    public PkiMessage GetCrl(X509Certificate2 certificate) =>
        PkiMessage.CreateGetCrl(IssuerAndSerialNumber.FromCertificate(certificate), Parameters(ScepTransactionId.CreateRandom()));

    /// <summary>The content of a SUCCESS reply, decrypted with this device's key.</summary>
    public DegenerateCertificateSet Open(PkiMessage reply)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(Signer.Certificate, Signer.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!;
    }

    public X509Certificate2 IssuedFrom(PkiMessage reply) =>
        Open(reply).FindByPublicKey(Csr.PublicKey) ?? throw new AssertionException("no certificate for the requested key in the reply");
}
