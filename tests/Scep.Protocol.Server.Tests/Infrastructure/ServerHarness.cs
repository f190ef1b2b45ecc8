using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Infrastructure;

/// <summary>
/// A SCEP server pipeline wired with the in-memory implementations and a fake clock, plus a client made of the
/// codecs that talks to it through <see cref="ScepRequestHandler.HandleAsync"/>.
/// </summary>
public sealed class ServerHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    private ServerHarness(ServiceProvider provider, TestCredential ca, ScepCaCredentials credentials)
    {
        _provider = provider;
        Ca = ca;
        Credentials = credentials;
        Handler = provider.GetRequiredService<ScepRequestHandler>();
        Entities = provider.GetRequiredService<InMemoryEndEntityStore>();
        Authority = provider.GetRequiredService<InMemoryEnrollmentAuthority>();
        Transactions = (InMemoryScepTransactionStore)provider.GetRequiredService<IScepTransactionStore>();
        CredentialProvider = provider.GetRequiredService<InMemoryCredentialProvider>();
        Logs = provider.GetRequiredService<FakeLogCollector>();
        Meters = provider.GetRequiredService<IMeterFactory>();
    }

    public static DateTimeOffset Start => Scenario.Now;

    public FakeTimeProvider Time => (FakeTimeProvider)_provider.GetRequiredService<TimeProvider>();

    public TestCredential Ca { get; }

    public ScepCaCredentials Credentials { get; }

    public ScepRequestHandler Handler { get; }

    public InMemoryEndEntityStore Entities { get; }

    public InMemoryEnrollmentAuthority Authority { get; }

    public InMemoryScepTransactionStore Transactions { get; }

    public InMemoryCredentialProvider CredentialProvider { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>The meter factory the pipeline's instruments come from (scope for <c>MetricCollector</c>).</summary>
    public IMeterFactory Meters { get; }

    public IServiceProvider Services => _provider;

    /// <summary>The test CA's credentials, with <paramref name="previousCa"/> as the CA certificate it rolled over from.</summary>
    public static ScepCaCredentials CredentialsWithPreviousCa(X509Certificate2 previousCa) => new()
    {
        CaCertificate = TestPki.Ca.Certificate,
        DecryptionCertificate = TestPki.Ca.Certificate,
        DecryptionKey = TestPki.Ca.Rsa,
        SigningCertificate = TestPki.Ca.Certificate,
        SigningKey = TestPki.Ca.Key,
        PreviousCaCertificates = [previousCa],
    };

    /// <summary>
    /// A server with aliases <c>scep</c> (CA mode) and <c>ra</c> (RA mode, challenge <c>ra-secret</c>), unless
    /// <paramref name="configure"/> says otherwise.
    /// </summary>
    public static ServerHarness Create(Action<ScepServerOptions>? configure = null, Action<ScepServerBuilder>? build = null, TestCredential? ca = null, ScepCaCredentials? credentials = null)
    {
        ca ??= TestPki.Ca;
        credentials ??= ScepCaCredentials.ForCa(ca.Certificate, ca.Rsa);
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        services.AddSingleton(sp => new InMemoryEnrollmentAuthority(sp.GetRequiredService<TimeProvider>()));
        var builder = services.AddScepServer(options =>
        {
            options.Aliases["scep"] = new ScepAliasOptions();
            options.Aliases["ra"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "ra-secret" };
            configure?.Invoke(options);
        });
        builder.AddEnrollmentAuthority<InMemoryEnrollmentAuthority>()
            .AddCrlSource<InMemoryEnrollmentAuthority>()
            .AddEndEntityStore<InMemoryEndEntityStore>()
            .AddCredentials("default", credentials);
        build?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var harness = new ServerHarness(provider, ca, credentials);
        harness.Authority.AddIssuer(ca.Certificate, ca.Key);
        if (credentials.Next is { } next)
        {
            harness.Authority.AddIssuer(next.CaCertificate, NextCaKey ?? throw new InvalidOperationException("Set NextCaKey for rollover tests."));
        }

        return harness;
    }

    /// <summary>The next CA's signing key for rollover harnesses (set before <see cref="Create"/>).</summary>
    public static AsymmetricAlgorithm? NextCaKey { get; set; }

    public void Advance(TimeSpan by) => Time.Advance(by);

    public DateTimeOffset Now => Time.GetUtcNow();

    public ValueTask<ScepHttpResponse> GetAsync(string query, string? alias = null) =>
        Handler.HandleAsync(new ScepHttpRequest { Method = "GET", Alias = alias, QueryString = query }, CancellationToken.None);

    public ValueTask<ScepHttpResponse> PostAsync(ReadOnlyMemory<byte> body, string? alias = null, string query = "?operation=PKIOperation") =>
        Handler.HandleAsync(new ScepHttpRequest { Method = "POST", Alias = alias, QueryString = query, Body = body }, CancellationToken.None);

    /// <summary>Sends a request and returns the verified reply (HTTP 200, signature, transactionID, recipientNonce checked).</summary>
    public async Task<PkiMessage> SendAsync(PkiMessage request, string? alias = null, bool usePost = true)
    {
        var response = usePost
            ? await PostAsync(request.RawData, alias)
            : await GetAsync("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(request.RawData.Span), alias);
        return ReplyFrom(response, request);
    }

    /// <summary>
    /// Checks that <paramref name="response"/> is a 200 CertRep answering <paramref name="request"/>, signed by the signer
    /// of the CA the request was enveloped to: the current CA's, or the next CA's during a rollover (RFC 8894 §4.7).
    /// </summary>
    public PkiMessage ReplyFrom(ScepHttpResponse response, PkiMessage request)
    {
        response.StatusCode.Should().Be(200, Encoding.UTF8.GetString(response.Body.Span));
        response.ContentType.Should().Be(ScepContentTypes.PkiMessage);
        var reply = PkiMessage.Decode(response.Body);
        var expected = ExpectedReplySigner(request);
        var signer = reply.VerifySignature(ScepAlgorithmPolicy.Legacy, [expected]);
        signer.RawData.Should().Equal(expected.RawData, "the reply is signed by the CA the request was enveloped to");
        reply.EnsureIsReplyTo(request);
        return reply;
    }

    /// <summary>The signing certificate a reply to <paramref name="request"/> must carry.</summary>
    public X509Certificate2 ExpectedReplySigner(PkiMessage request) =>
        Credentials.Next is { } next
        && request.Envelope?.FindRecipientCertificate([Credentials.DecryptionCertificate]) is null
        && request.Envelope?.FindRecipientCertificate([next.DecryptionCertificate]) is not null
            ? next.SigningCertificate
            : Credentials.SigningCertificate;

    /// <summary>Request parameters for <paramref name="signer"/>, encrypted to this server's decryption certificate unless told otherwise, signed now.</summary>
    public PkiRequestParameters Parameters(
        TestCredential signer,
        X509Certificate2? recipient = null,
        ContentEncryptionAlgorithm encryption = ContentEncryptionAlgorithm.Aes128Cbc,
        HashAlgorithmName? digest = null,
        string? transactionId = null,
        IReadOnlyList<AsnEncodedData>? attributes = null,
        ReadOnlyMemory<byte> senderNonce = default) => new()
        {
            TransactionId = transactionId ?? ScepTransactionId.CreateRandom(),
            SenderNonce = senderNonce,
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = recipient ?? Credentials.DecryptionCertificate,
            ContentEncryption = encryption,
            DigestAlgorithm = digest ?? HashAlgorithmName.SHA256,
            SigningTime = Now,
            AdditionalSignedAttributes = attributes ?? [],
        };

    /// <summary>
    /// Enrolls <c>CN=<paramref name="commonName"/></c> on the CA-mode alias <c>scep</c> and returns the issued
    /// certificate with its key: a certificate this CA issued, for renewal tests.
    /// </summary>
    public async Task<TestCredential> IssueAsync(string commonName, int keySlot)
    {
        Entities.Add(commonName, "code-" + commonName);
        var client = NewClient("CN=" + commonName, "code-" + commonName, keySlot);
        var issued = client.IssuedFrom(await client.EnrollAsync("scep"));
        return new TestCredential(issued, client.Signer.Key);
    }

    /// <summary>A fresh client (own key, self-signed signer) and its PKCSReq.</summary>
    public EnrollingClient NewClient(string subject, string? challenge, int keySlot = 10, ContentEncryptionAlgorithm encryption = ContentEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName? digest = null, string? transactionId = null, X509Certificate2? recipient = null)
    {
        var key = TestPki.CachedRsa(keySlot);
        var signer = TestPki.CreateSelfSigned(subject, key);
        var csr = Scenario.Csr(subject, key, challenge);
        return new EnrollingClient(this, signer, csr, Scenario.RequestParameters(signer, recipient ?? Credentials.DecryptionCertificate, encryption, digest, transactionId));
    }

    public void Dispose() => _provider.Dispose();
}

/// <summary>A client mid-enrollment: its signer, its CSR, and its request parameters.</summary>
public sealed class EnrollingClient(ServerHarness server, TestCredential signer, Pkcs10Request csr, PkiRequestParameters parameters)
{
    public TestCredential Signer { get; } = signer;

    public Pkcs10Request Csr { get; } = csr;

    public PkiRequestParameters Parameters { get; } = parameters;

    public PkiMessage PkcsReq() => PkiMessage.CreatePkcsReq(Csr, WithTime(Parameters));

    public PkiMessage Poll(X509Certificate2 issuer) =>
        PkiMessage.CreateCertPoll(IssuerAndSubject.Create(issuer.SubjectName, Csr.Subject), WithTime(Parameters));

    public async Task<PkiMessage> EnrollAsync(string? alias = null, bool usePost = true) => await server.SendAsync(PkcsReq(), alias, usePost);

    /// <summary>The issued certificate of a SUCCESS reply, decrypted with this client's key.</summary>
    public X509Certificate2 IssuedFrom(PkiMessage reply)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var content = reply.Decrypt(Signer.Certificate, Signer.Rsa, ScepAlgorithmPolicy.Legacy);
        return content.CertificateSet!.FindByPublicKey(Csr.PublicKey) ?? throw new AssertionException("no certificate for the requested key");
    }

    private PkiRequestParameters WithTime(PkiRequestParameters p) => new()
    {
        AdditionalSignedAttributes = p.AdditionalSignedAttributes,
        TransactionId = p.TransactionId,
        SignerCertificate = p.SignerCertificate,
        SignerKey = p.SignerKey,
        RecipientCertificate = p.RecipientCertificate,
        ContentEncryption = p.ContentEncryption,
        DigestAlgorithm = p.DigestAlgorithm,
        KeyTransport = p.KeyTransport,
        SigningTime = server.Now,
    };
}

/// <summary>An <see cref="IMeterFactory"/> whose meters are scoped to it, so collectors see only this harness's measurements.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}
