using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// The real server pipeline (<see cref="ScepRequestHandler"/>) in process, wired as the server tests' ServerHarness
/// does: in-memory authority, end-entity store and transaction store, fixed credentials, a <see cref="FakeTimeProvider"/>.
/// <see cref="ScepClient"/> reaches it through <see cref="PipelineHttpHandler"/> (no socket) and reads the same
/// clock through <see cref="PipelineClock"/>.
/// </summary>
/// <remarks>
/// Aliases unless <c>configure</c> says otherwise: <c>scep</c> (CA mode, renewal on), <c>ra</c> (RA mode, challenge
/// <see cref="RaChallenge"/>, renewal on), <c>get-only</c> (RA mode without POST), <c>legacy</c> (CA mode that also
/// accepts DES-CBC and MD5).
/// </remarks>
public sealed class PipelineServer : IDisposable
{
    public const string RaChallenge = "ra-secret";

    private readonly ServiceProvider _provider;

    private PipelineServer(ServiceProvider provider, TestCredential ca, ScepCaCredentials credentials)
    {
        _provider = provider;
        Ca = ca;
        Credentials = credentials;
        Time = (FakeTimeProvider)provider.GetRequiredService<TimeProvider>();
        Clock = new PipelineClock(Time);
        Entities = provider.GetRequiredService<InMemoryEndEntityStore>();
        Authority = provider.GetRequiredService<InMemoryEnrollmentAuthority>();
        Http = new PipelineHttpHandler(provider.GetRequiredService<ScepRequestHandler>());
    }

    /// <summary>The server clock's start: a fixed instant inside the test CA's validity.</summary>
    public static DateTimeOffset Start { get; } = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public TestCredential Ca { get; }

    public ScepCaCredentials Credentials { get; }

    /// <summary>The server's clock; advance it to move both sides in time.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The client's view of <see cref="Time"/>.</summary>
    public PipelineClock Clock { get; }

    public InMemoryEndEntityStore Entities { get; }

    public InMemoryEnrollmentAuthority Authority { get; }

    /// <summary>The HTTP side of the pipeline, with every exchange recorded.</summary>
    public PipelineHttpHandler Http { get; }

    /// <summary>
    /// A pipeline with the default aliases, <paramref name="configure"/> applied after them. <paramref name="ca"/>
    /// issues (with <paramref name="credentials"/> for the SCEP keys, the CA's own by default); a next CA in the
    /// credentials needs its key in <paramref name="nextCaKey"/>.
    /// </summary>
    public static PipelineServer Create(Action<ScepServerOptions>? configure = null, TestCredential? ca = null, ScepCaCredentials? credentials = null, AsymmetricAlgorithm? nextCaKey = null)
    {
        ca ??= TestPki.Ca;
        credentials ??= ScepCaCredentials.ForCa(ca.Certificate, ca.Rsa);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
        services.AddSingleton(sp => new InMemoryEnrollmentAuthority(sp.GetRequiredService<TimeProvider>()));
        services.AddScepServer(options =>
            {
                options.Aliases["scep"] = new ScepAliasOptions { AllowRenewal = true };
                options.Aliases["ra"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, AllowRenewal = true };
                options.Aliases["get-only"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = RaChallenge, AllowPost = false };
                var legacy = new ScepAliasOptions();
                foreach (var algorithm in (ContentEncryptionAlgorithm[])[.. ScepAliasOptions.DefaultEncryptionAlgorithms, ContentEncryptionAlgorithm.DesCbc])
                {
                    legacy.EncryptionAlgorithms.Add(algorithm);
                }

                foreach (var digest in (ScepDigest[])[.. ScepAliasOptions.DefaultDigestAlgorithms, ScepDigest.Md5])
                {
                    legacy.DigestAlgorithms.Add(digest);
                }

                options.Aliases["legacy"] = legacy;
                configure?.Invoke(options);
            })
            .AddEnrollmentAuthority<InMemoryEnrollmentAuthority>()
            .AddCrlSource<InMemoryEnrollmentAuthority>()
            .AddEndEntityStore<InMemoryEndEntityStore>()
            .AddCredentials("default", credentials);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var server = new PipelineServer(provider, ca, credentials);
        server.Authority.AddIssuer(ca.Certificate, ca.Key);
        if (credentials.Next is { } next)
        {
            server.Authority.AddIssuer(next.CaCertificate, nextCaKey ?? throw new ArgumentNullException(nameof(nextCaKey), "A rollover needs the next CA's key."));
        }

        return server;
    }

    /// <summary>The URL of an alias, as the sample host routes it.</summary>
    public static Uri Endpoint(string alias) => new($"http://127.0.0.1/scep/{alias}/pkiclient.exe");

    /// <summary>A client of <paramref name="alias"/> on the shared clock, with the options given and the defaults otherwise.</summary>
    public ScepClient Client(
        string alias = "scep",
        PkiOperationMethod method = PkiOperationMethod.Auto,
        ContentEncryptionAlgorithm? encryption = null,
        HashAlgorithmName? digest = null,
        ScepAlgorithmPolicy? policy = null) =>
        new(new HttpClient(Http, disposeHandler: false), Endpoint(alias), new ScepClientOptions
        {
            TimeProvider = Clock,
            PkiOperationMethod = method,
            ContentEncryption = encryption,
            DigestAlgorithm = digest,
            AlgorithmPolicy = policy ?? ScepAlgorithmPolicy.Default,
        });

    /// <summary>Registers a CA-mode end entity: its username is the CN, its one-time code the challengePassword.</summary>
    public void AddEntity(string username, string code) => Entities.Add(username, code);

    /// <summary>A CSR for <paramref name="subject"/> over <paramref name="key"/>.</summary>
    public static Pkcs10Request Csr(RSA key, string subject, string? challenge) =>
        new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challenge }.Build(key, HashAlgorithmName.SHA256);

    /// <summary>Enrolls <c>CN=<paramref name="commonName"/></c> on the CA-mode alias <c>scep</c> with a fresh entity and returns the issued result.</summary>
    public async Task<EnrollmentResult> IssueAsync(string commonName, RSA key, CancellationToken cancellationToken = default)
    {
        AddEntity(commonName, "code-" + commonName);
        var client = Client();
        var info = await client.GetServerInfoAsync(cancellationToken);
        var result = await client.EnrollAsync(info, Csr(key, "CN=" + commonName, "code-" + commonName), key, cancellationToken);
        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        return result;
    }

    public void Dispose()
    {
        Http.Dispose();
        _provider.Dispose();
    }
}
