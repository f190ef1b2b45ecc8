using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Client;

/// <summary>
/// A SCEP client (RFC 8894) over <see cref="HttpClient"/>: GetCACaps, GetCACert, GetNextCACert, and the
/// PKIOperation messages PKCSReq, RenewalReq, CertPoll, GetCert and GetCRL. It chooses GET or POST and the
/// algorithms from the server's capabilities, checks every reply (RFC 8894 §3.3.2: signed by a GetCACert
/// certificate, messageType CertRep, our transactionID, recipientNonce = our senderNonce) and returns typed
/// results for SUCCESS, PENDING and FAILURE. Thread-safe; holds no per-server state.
/// </summary>
/// <remarks>
/// Errors: <see cref="ScepTransportException"/> when no reply arrived (network, time-out, HTTP status other than
/// 200); <see cref="ScepException"/> when a reply arrived but must be discarded (undecodable, bad signature,
/// signer not a CA certificate, wrong transactionID or nonce, an algorithm the policy refuses, no certificate
/// for our key). A FAILURE or PENDING CertRep is a result, never an exception.
/// </remarks>
public sealed class ScepClient
{
    private readonly HttpClient _http;

    /// <summary>Creates a client for one SCEP endpoint.</summary>
    /// <param name="httpClient">The HTTP client; its <see cref="HttpClient.Timeout"/> bounds each exchange.</param>
    /// <param name="endpoint">The SCEP URL, such as <c>http://ca.example/scep</c> or <c>…/cgi-bin/pkiclient.exe</c>; a query it already has is kept.</param>
    /// <param name="options">The options; <see cref="ScepClientOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http or https URL, or the options contradict each other.</exception>
    public ScepClient(HttpClient httpClient, Uri endpoint, ScepClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The SCEP endpoint must be an absolute http or https URL.", nameof(endpoint));
        }

        options ??= ScepClientOptions.Default;
        options.Validate();
        _http = httpClient;
        Endpoint = endpoint;
        Options = options;
    }

    /// <summary>The SCEP URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>The options in force.</summary>
    public ScepClientOptions Options { get; }

    /// <summary>GetCACaps (RFC 8894 §3.5.1). An HTTP error or an empty body means "no capabilities" (§3.5.2), not an error.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The capabilities, possibly <see cref="CaCapabilities.Empty"/>.</returns>
    /// <exception cref="ScepTransportException">No answer arrived (network failure or time-out).</exception>
    public async Task<CaCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await GetAsync(ScepOperation.GetCACaps, cancellationToken).ConfigureAwait(false);
        return reply.Status == HttpStatusCode.OK
            ? CaCapabilities.Parse(Encoding.UTF8.GetString(reply.Body))
            : CaCapabilities.Empty;
    }

    /// <summary>
    /// GetCACert (RFC 8894 §4.2): the CA certificate, or the CA and RA (or intermediate) certificates, with the
    /// encryption and signature-verification certificates picked by key usage. Compare the CA's fingerprint
    /// with one obtained out of band before trusting it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The certificates.</returns>
    /// <exception cref="ScepTransportException">No answer, or an HTTP status other than 200.</exception>
    /// <exception cref="ScepException">The body is neither a certificate nor a certificates-only PKCS#7.</exception>
    public async Task<CaCertificates> GetCaCertificatesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await GetAsync(ScepOperation.GetCACert, cancellationToken).ConfigureAwait(false);
        EnsureOk(reply, ScepOperation.GetCACert);
        return CaCertificates.Decode(reply.Body);
    }

    /// <summary>GetCACaps then GetCACert: everything a PKIOperation needs.</summary>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The server description.</returns>
    /// <exception cref="ScepTransportException">See <see cref="GetCaCertificatesAsync"/>.</exception>
    /// <exception cref="ScepException">See <see cref="GetCaCertificatesAsync"/>.</exception>
    public async Task<ScepServerInfo> GetServerInfoAsync(CancellationToken cancellationToken = default)
    {
        var capabilities = await GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        var certificates = await GetCaCertificatesAsync(cancellationToken).ConfigureAwait(false);
        return ScepServerInfo.Create(capabilities, certificates);
    }

    /// <summary>
    /// GetNextCACert (RFC 8894 §4.7): the CA (and RA) certificates that will follow the current ones, verified to be
    /// signed by a current GetCACert certificate. Store them; use them when the current CA certificate expires.
    /// </summary>
    /// <param name="server">The server, with its current (trusted) CA certificates.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The next certificates.</returns>
    /// <exception cref="ScepTransportException">No answer, or an HTTP status other than 200 (servers without a rollover certificate answer 403, 404, 500 or 501).</exception>
    /// <exception cref="ScepException">The reply is malformed or not signed by a current CA or RA certificate.</exception>
    public async Task<CaCertificates> GetNextCaCertificatesAsync(ScepServerInfo server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var reply = await GetAsync(ScepOperation.GetNextCACert, cancellationToken).ConfigureAwait(false);
        EnsureOk(reply, ScepOperation.GetNextCACert);
        var next = NextCaCertificates.Decode(reply.Body);
        next.VerifySignature(server.CaCertificates.Certificates, Options.AlgorithmPolicy);
        return next.Next;
    }

    /// <summary>
    /// Initial enrollment (RFC 8894 §3.3.1): a PKCSReq signed with a self-signed certificate made for the request
    /// over <paramref name="privateKey"/>, the key the request certifies.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="request">The PKCS#10 request (with the challengePassword, if the server wants one).</param>
    /// <param name="privateKey">The RSA key of <paramref name="request"/>.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>Issued, pending or failed.</returns>
    /// <exception cref="ArgumentException">The key is not the request's key.</exception>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<EnrollmentResult> EnrollAsync(ScepServerInfo server, Pkcs10Request request, RSA privateKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!request.SubjectPublicKeyInfo.Span.SequenceEqual(privateKey.ExportSubjectPublicKeyInfo()))
        {
            throw new ArgumentException("The private key is not the key of the certification request.", nameof(privateKey));
        }

        var signer = ScepSigner.CreateSelfSigned(privateKey, request.Subject, Options.TimeProvider.GetUtcNow());
        return EnrollWithSignerAsync(server, request, signer, cancellationToken);
    }

    /// <summary>
    /// A PKCSReq signed by <paramref name="signer"/>: a self-signed certificate (RFC 8894 §2.3), a separate RSA
    /// transport certificate for a request whose own key cannot decrypt (an EC key; not RFC 8894's
    /// PasswordRecipientInfo, and servers that require the signer key to equal the requested key refuse it), or an
    /// existing CA-issued certificate (the draft-era renewal that macOS and Cisco devices still send).
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="request">The PKCS#10 request.</param>
    /// <param name="signer">Signs the request and decrypts the reply.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>Issued, pending or failed.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<EnrollmentResult> EnrollWithSignerAsync(ScepServerInfo server, Pkcs10Request request, ScepSigner signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signer);
        var transaction = EnrollmentTransaction.Create(ScepTransactionId.CreateRandom(), MessageType.PKCSReq, request.Subject, request.PublicKey, signer);
        var message = PkiMessage.CreatePkcsReq(request, RequestParameters(server, signer, transaction.TransactionId));
        return ExchangeEnrollmentAsync(server, transaction, message, cancellationToken);
    }

    /// <summary>
    /// Sends (or sends again) the PKCSReq of a transaction the caller described: its transactionID, subject and key
    /// come from <paramref name="transaction"/>, not chosen here. For a relay, such as an RA forwarding a device's
    /// request under its own signer, that must send the same request again after a restart: a server answers a PKCSReq
    /// re-sent with the same transactionID from its record (RFC 8894 §3.3.2) instead of issuing twice.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="transaction">The transaction (<see cref="EnrollmentTransaction.Create"/>, a PKCSReq for <paramref name="request"/>'s subject and key).</param>
    /// <param name="request">The PKCS#10 request.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>Issued, pending or failed.</returns>
    /// <exception cref="ArgumentException">The transaction is not a PKCSReq for this request's key.</exception>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<EnrollmentResult> SendPkcsReqAsync(ScepServerInfo server, EnrollmentTransaction transaction, Pkcs10Request request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(request);
        if (transaction.MessageType != MessageType.PKCSReq || !transaction.SubjectPublicKeyInfo.Span.SequenceEqual(request.SubjectPublicKeyInfo.Span))
        {
            throw new ArgumentException("The transaction is not a PKCSReq for the request's key.", nameof(transaction));
        }

        var message = PkiMessage.CreatePkcsReq(request, RequestParameters(server, transaction.Signer, transaction.TransactionId));
        return ExchangeEnrollmentAsync(server, transaction, message, cancellationToken);
    }

    /// <summary>
    /// Renewal (RFC 8894 §2.5, §3.3.1): a RenewalReq signed with the certificate being renewed and its key; the
    /// reply is encrypted to that certificate. The request normally holds a new key. Servers advertise renewal with
    /// the <c>Renewal</c> capability; this method sends the request whether or not they do.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="request">The PKCS#10 request for the new certificate.</param>
    /// <param name="currentCertificate">The certificate being renewed and its RSA key.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>Issued, pending or failed.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<EnrollmentResult> RenewAsync(ScepServerInfo server, Pkcs10Request request, ScepSigner currentCertificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(currentCertificate);
        var transaction = EnrollmentTransaction.Create(ScepTransactionId.CreateRandom(), MessageType.RenewalReq, request.Subject, request.PublicKey, currentCertificate);
        var message = PkiMessage.CreateRenewalReq(request, RequestParameters(server, currentCertificate, transaction.TransactionId));
        return ExchangeEnrollmentAsync(server, transaction, message, cancellationToken);
    }

    /// <summary>One CertPoll (RFC 8894 §3.3.3) for a pending transaction: same transactionID and signer, a fresh senderNonce.</summary>
    /// <param name="server">The server.</param>
    /// <param name="transaction">The pending transaction.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>Issued, still pending, or failed.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<EnrollmentResult> PollOnceAsync(ScepServerInfo server, EnrollmentTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(transaction);
        var issuerAndSubject = IssuerAndSubject.Create(server.CaCertificates.IssuerCertificate.SubjectName, transaction.Subject);
        var message = PkiMessage.CreateCertPoll(issuerAndSubject, RequestParameters(server, transaction.Signer, transaction.TransactionId));
        return ExchangeEnrollmentAsync(server, transaction, message, cancellationToken);
    }

    /// <summary>
    /// Polls a pending transaction until it is issued or failed, with back-off, bounded by the schedule's time-out
    /// and number of polls (RFC 8894 Figure 1). Waits use <see cref="ScepClientOptions.TimeProvider"/>.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="transaction">The pending transaction (<see cref="EnrollmentResult.Transaction"/>).</param>
    /// <param name="polling">The schedule; <see cref="ScepClientOptions.Polling"/> when null.</param>
    /// <param name="progress">Told before each wait, for a progress line.</param>
    /// <param name="cancellationToken">Cancels the waits and the exchanges.</param>
    /// <returns>The last result: issued, failed, or still pending when the schedule ran out.</returns>
    /// <exception cref="ScepTransportException">A poll got no reply; the transaction is unchanged, poll again later.</exception>
    /// <exception cref="ScepException">A reply must be discarded (see the class remarks).</exception>
    public async Task<EnrollmentResult> PollAsync(ScepServerInfo server, EnrollmentTransaction transaction, PollingOptions? polling = null, IProgress<PollProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(transaction);
        polling ??= Options.Polling;
        polling.Validate();
        var time = Options.TimeProvider;
        var started = time.GetTimestamp();
        var interval = polling.InitialInterval;
        EnrollmentResult? result = null;
        for (var attempt = 1; attempt <= polling.MaxAttempts; attempt++)
        {
            var elapsed = time.GetElapsedTime(started);
            var remaining = polling.Timeout - elapsed;
            if (result is not null && remaining <= TimeSpan.Zero)
            {
                break;
            }

            var wait = interval <= remaining ? interval : (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            progress?.Report(new PollProgress(transaction.TransactionId, attempt, polling.MaxAttempts, elapsed, wait));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            result = await PollOnceAsync(server, transaction, cancellationToken).ConfigureAwait(false);
            if (result.Status != EnrollmentStatus.Pending)
            {
                return result;
            }

            interval = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * polling.BackoffMultiplier, polling.MaxInterval.Ticks));
        }

        return result!;
    }

    /// <summary>
    /// GetCert (RFC 8894 §3.3.4): asks for a certificate by issuer and serial number. The request is signed by
    /// <paramref name="signer"/>, or by a throw-away self-signed RSA certificate when null (servers that restrict
    /// GetCert to the holder of the certificate want that certificate here).
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="certificate">Issuer and serial number of the certificate wanted.</param>
    /// <param name="signer">The signer, or null for a throw-away one.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The certificate, or the server's refusal.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public async Task<GetCertResult> GetCertificateAsync(ScepServerInfo server, IssuerAndSerialNumber certificate, ScepSigner? signer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificate);
        signer ??= CreateThrowAwaySigner();
        var request = PkiMessage.CreateGetCert(certificate, RequestParameters(server, signer, ScepTransactionId.CreateRandom()));
        var reply = await ExchangeAsync(server, request, cancellationToken).ConfigureAwait(false);
        if (reply.Status != PkiStatus.Success)
        {
            return GetCertResult.NotSuccess(request, reply);
        }

        var set = DecryptCertificateSet(reply, signer);
        if (set.Certificates.Count == 0)
        {
            throw new ScepException(ScepError.MalformedContent, "The SUCCESS reply to GetCert holds no certificate.");
        }

        var found = set.Certificates.FirstOrDefault(certificate.Matches) ?? set.Certificates[0];
        return GetCertResult.Success(request, reply, found, set.Certificates);
    }

    /// <summary>
    /// GetCRL (RFC 8894 §3.3.5): the CRL that covers a certificate, named by its issuer and serial number. The CRL's
    /// signature must verify with a GetCACert certificate. Signed like <see cref="GetCertificateAsync"/>.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="certificate">Issuer and serial number of the certificate whose revocation status is wanted.</param>
    /// <param name="signer">The signer, or null for a throw-away one.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The CRL, or the server's refusal.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded, or the CRL is not signed by a CA certificate.</exception>
    public async Task<GetCrlResult> GetCrlAsync(ScepServerInfo server, IssuerAndSerialNumber certificate, ScepSigner? signer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificate);
        signer ??= CreateThrowAwaySigner();
        var request = PkiMessage.CreateGetCrl(certificate, RequestParameters(server, signer, ScepTransactionId.CreateRandom()));
        var reply = await ExchangeAsync(server, request, cancellationToken).ConfigureAwait(false);
        if (reply.Status != PkiStatus.Success)
        {
            return GetCrlResult.NotSuccess(request, reply);
        }

        var set = DecryptCertificateSet(reply, signer);
        if (set.Crls.Count == 0)
        {
            throw new ScepException(ScepError.MalformedContent, "The SUCCESS reply to GetCRL holds no CRL.");
        }

        var crl = set.Crls[0];
        var issuer = server.CaCertificates.Certificates.FirstOrDefault(ca => CertificateSignature.Verifies(crl, ca.PublicKey))
            ?? throw new ScepException(ScepError.SignatureInvalid, "The CRL's signature does not verify with any CA certificate from GetCACert.");
        return GetCrlResult.Success(request, reply, crl, issuer);
    }

    /// <summary>
    /// Sends any request pkiMessage built with <see cref="PkiMessage"/>'s factories and returns the reply after the
    /// checks every reply gets: for device emulation and tests. The caller decrypts the content itself.
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The verified CertRep.</returns>
    /// <exception cref="ScepTransportException">No reply arrived.</exception>
    /// <exception cref="ScepException">The reply must be discarded (see the class remarks).</exception>
    public Task<PkiMessage> SendPkiOperationAsync(ScepServerInfo server, PkiMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        return ExchangeAsync(server, request, cancellationToken);
    }

    /// <summary>Whether a PKIOperation to this server goes by POST under the options in force.</summary>
    /// <param name="server">The server.</param>
    /// <returns>True for POST, false for GET.</returns>
    public bool UsesPost(ScepServerInfo server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Options.PkiOperationMethod switch
        {
            PkiOperationMethod.Post => true,
            PkiOperationMethod.Get => false,
            _ => server.Capabilities.UsePost,
        };
    }

    /// <summary>The content encryption a request to this server uses: the option, else the capabilities' choice.</summary>
    /// <param name="server">The server.</param>
    /// <returns>The algorithm.</returns>
    /// <exception cref="ScepException">The server and the policy have no algorithm in common.</exception>
    public ContentEncryptionAlgorithm SelectContentEncryption(ScepServerInfo server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Options.ContentEncryption ?? server.Capabilities.SelectContentEncryption(Options.AlgorithmPolicy);
    }

    /// <summary>The digest a request to this server uses: the option, else the capabilities' choice.</summary>
    /// <param name="server">The server.</param>
    /// <returns>The digest.</returns>
    /// <exception cref="ScepException">The server and the policy have no digest in common.</exception>
    public HashAlgorithmName SelectDigest(ScepServerInfo server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Options.DigestAlgorithm ?? server.Capabilities.SelectDigest(Options.AlgorithmPolicy);
    }

    private PkiRequestParameters RequestParameters(ScepServerInfo server, ScepSigner signer, string transactionId) => new()
    {
        TransactionId = transactionId,
        SignerCertificate = signer.Certificate,
        SignerKey = signer.Key,
        RecipientCertificate = server.CaCertificates.EncryptionCertificate,
        ContentEncryption = SelectContentEncryption(server),
        DigestAlgorithm = SelectDigest(server),
        SigningTime = Options.TimeProvider.GetUtcNow(),
    };

    private ScepSigner CreateThrowAwaySigner() =>
        ScepSigner.CreateSelfSigned(RSA.Create(2048), new X500DistinguishedName("CN=SCEP client"), Options.TimeProvider.GetUtcNow());

    private async Task<EnrollmentResult> ExchangeEnrollmentAsync(ScepServerInfo server, EnrollmentTransaction transaction, PkiMessage request, CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync(server, request, cancellationToken).ConfigureAwait(false);
        switch (reply.Status)
        {
            case PkiStatus.Failure:
                return EnrollmentResult.Failed(transaction, request, reply);
            case PkiStatus.Pending:
                return EnrollmentResult.Pending(transaction, request, reply);
        }

        // RFC 8894 §3.3.2 and §10.2 of our notes: decrypt with the key we signed with, find our certificate by its
        // public key (not by position), and check that a CA certificate issued it.
        var set = DecryptCertificateSet(reply, transaction.Signer);
        var issued = set.Certificates.FirstOrDefault(transaction.IsForRequestedKey)
            ?? throw new ScepException(ScepError.MalformedContent, "The SUCCESS reply holds no certificate for the requested public key.");
        if (!server.CaCertificates.HaveIssued(issued, set.Certificates))
        {
            throw new ScepException(ScepError.SignatureInvalid, $"The issued certificate (issuer '{issued.Issuer}') is not signed by a CA certificate from GetCACert.");
        }

        var others = set.Certificates.Where(c => !ReferenceEquals(c, issued)).ToList();
        return EnrollmentResult.Issued(transaction, request, reply, issued, others.AsReadOnly());
    }

    private DegenerateCertificateSet DecryptCertificateSet(PkiMessage reply, ScepSigner signer)
    {
        var content = reply.Decrypt(signer.Certificate, signer.Key, Options.AlgorithmPolicy);
        return content.CertificateSet
            ?? throw new ScepException(ScepError.MalformedContent, "The SUCCESS reply does not hold a certificates-only SignedData.");
    }

    private async Task<PkiMessage> ExchangeAsync(ScepServerInfo server, PkiMessage request, CancellationToken cancellationToken)
    {
        var encoded = request.Encode();
        HttpReply reply;
        if (UsesPost(server))
        {
            using var content = new ByteArrayContent(encoded);
            content.Headers.ContentType = new MediaTypeHeaderValue(ScepContentTypes.PkiMessage);
            content.Headers.ContentLength = encoded.Length;
            using var post = new HttpRequestMessage(HttpMethod.Post, OperationUri(ScepOperation.PKIOperation, null)) { Content = content };
            reply = await SendAsync(post, ScepOperation.PKIOperation, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, OperationUri(ScepOperation.PKIOperation, ScepBase64.EncodeForQuery(encoded)));
            reply = await SendAsync(get, ScepOperation.PKIOperation, cancellationToken).ConfigureAwait(false);
        }

        EnsureOk(reply, ScepOperation.PKIOperation);
        var message = PkiMessage.Decode(reply.Body);

        // RFC 8894 §3.3.2: verify with the CA or RA certificate from GetCACert, never with a certificate merely
        // embedded in the reply (NDES leaves its own out, hence the candidates).
        var trusted = server.CaCertificates.Certificates;
        var signer = message.VerifySignature(Options.AlgorithmPolicy, trusted);
        if (!trusted.Any(c => c.RawDataMemory.Span.SequenceEqual(signer.RawDataMemory.Span)))
        {
            throw new ScepException(ScepError.SignerCertificateNotFound, $"The reply is signed by '{signer.Subject}', which is not one of the CA certificates from GetCACert.");
        }

        // §3.2.1.5: messageType CertRep, our transactionID, recipientNonce = our senderNonce. The reply's own
        // senderNonce is not required to be fresh (micromdm's scepserver echoes ours).
        message.EnsureIsReplyTo(request);
        return message;
    }

    private Task<HttpReply> GetAsync(string operation, CancellationToken cancellationToken)
    {
        var message = Options.CaIdentifier is { } identifier ? Uri.EscapeDataString(identifier) : null;
        var request = new HttpRequestMessage(HttpMethod.Get, OperationUri(operation, message));
        return SendAndDisposeAsync(request, operation, cancellationToken);
    }

    private async Task<HttpReply> SendAndDisposeAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint with <c>operation</c> (and <c>message</c>, already escaped) added to any query it has.</summary>
    private Uri OperationUri(string operation, string? escapedMessage)
    {
        var builder = new StringBuilder(Endpoint.GetLeftPart(UriPartial.Path));
        var query = Endpoint.Query;
        builder.Append(query.Length > 1 ? query + "&" : "?");
        builder.Append("operation=").Append(operation);
        if (escapedMessage is not null)
        {
            builder.Append("&message=").Append(escapedMessage);
        }

        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    private async Task<HttpReply> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (response.Content.Headers.ContentLength is { } length && length > Options.MaxResponseSize)
            {
                throw new ScepTransportException($"{operation}: the reply has {length} bytes, more than the limit of {Options.MaxResponseSize}.", operation, response.StatusCode, contentType, null);
            }

            var body = await ReadLimitedAsync(response.Content, operation, response.StatusCode, contentType, cancellationToken).ConfigureAwait(false);
            return new HttpReply(response.StatusCode, response.ReasonPhrase, contentType, body);
        }
        catch (HttpRequestException e)
        {
            throw new ScepTransportException($"{operation}: {e.Message}", operation, e.StatusCode, null, e);
        }
        catch (IOException e)
        {
            throw new ScepTransportException($"{operation}: {e.Message}", operation, null, null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ScepTransportException($"{operation}: no answer within the HTTP client's time-out of {_http.Timeout.TotalSeconds:0} s.", operation, null, null, e);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, string operation, HttpStatusCode status, string? contentType, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > Options.MaxResponseSize)
                {
                    throw new ScepTransportException($"{operation}: the reply is longer than the limit of {Options.MaxResponseSize} bytes.", operation, status, contentType, null);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static void EnsureOk(HttpReply reply, string operation)
    {
        if (reply.Status == HttpStatusCode.OK)
        {
            return;
        }

        var text = DescribeBody(reply);
        throw new ScepTransportException(
            $"{operation}: the server answered HTTP {(int)reply.Status} {reply.Reason}{(text.Length > 0 ? ": " + text : string.Empty)}",
            operation,
            reply.Status,
            reply.ContentType,
            null);
    }

    /// <summary>The start of an error body when it is printable text (servers explain errors there), else nothing.</summary>
    private static string DescribeBody(HttpReply reply)
    {
        const int MaxLength = 200;
        var length = Math.Min(reply.Body.Length, MaxLength);
        for (var i = 0; i < length; i++)
        {
            var b = reply.Body[i];
            if (b is < 0x20 and not (0x09 or 0x0A or 0x0D) || b >= 0x7F)
            {
                return string.Empty;
            }
        }

        var text = Encoding.ASCII.GetString(reply.Body, 0, length).ReplaceLineEndings(" ").Trim();
        return reply.Body.Length > MaxLength ? text + "…" : text;
    }

    private sealed record HttpReply(HttpStatusCode Status, string? Reason, string? ContentType, byte[] Body);
}
