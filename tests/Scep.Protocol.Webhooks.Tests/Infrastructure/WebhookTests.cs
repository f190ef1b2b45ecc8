using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Webhooks.Tests.Infrastructure;

/// <summary>Shared setup: the secret, a pipeline whose alias <c>hook</c> (RA mode, no static secret) is decided by the webhook.</summary>
public abstract class WebhookTests
{
    public const string Secret = "test-secret-0123456789abcdef-0123456789";

    /// <summary>Generous upper bound for answers that do come (nothing waits for it in a passing test).</summary>
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>The pipeline's (fake) clock, which these tests do not advance: receivers sign their answers at it.</summary>
    protected static DateTimeOffset Now => ServerHarness.Start;

    protected static ServerHarness Pipeline(Uri url, Action<WebhookChallengeOptions>? configure = null, Action<ScepServerBuilder>? build = null) =>
        ServerHarness.Create(
            o => o.Aliases["hook"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra },
            b =>
            {
                b.AddWebhookChallenge(o =>
                {
                    o.Url = url;
                    o.Secret = Secret;
                    o.AllowInsecureHttp = true;
                    o.Timeout = Generous;
                    o.Aliases.Add("hook");
                    configure?.Invoke(o);
                });
                build?.Invoke(b);
            });

    /// <summary>A client on alias <c>hook</c> whose CSR asks for one name of each kind.</summary>
    protected static EnrollingClient ClientWithNames(ServerHarness server, string challenge = "device-challenge", int keySlot = 31)
    {
        var key = TestPki.CachedRsa(keySlot);
        var signer = TestPki.CreateSelfSigned("CN=device-1", key);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("device-1.example.com");
        names.AddIpAddress(IPAddress.Parse("192.0.2.7"));
        names.AddEmailAddress("device-1@example.com");
        names.AddUri(new Uri("urn:uuid:5f0b6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b"));
        var builder = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=device-1, O=Example")) { ChallengePassword = challenge };
        builder.Extensions.Add(names.Build());
        var csr = builder.Build(key, HashAlgorithmName.SHA256);
        return new EnrollingClient(server, signer, csr, Scenario.RequestParameters(signer, server.Credentials.DecryptionCertificate));
    }

    /// <summary>A URL where nothing listens: a port bound and released.</summary>
    protected static Uri ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/hook");
    }
}
