using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Client.Tests.Fakes;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Client;

/// <summary>A client wired to an in-process fake server.</summary>
public static class ClientFixture
{
    public static readonly Uri Endpoint = new("http://127.0.0.1/scep");

    public static ScepClient Create(FakeScepServer server, ScepClientOptions? options = null) =>
        new(new HttpClient(server, disposeHandler: false), Endpoint, options ?? new ScepClientOptions { TimeProvider = new AutoAdvancingTimeProvider(FakeScepServer.Now) });

    public static Pkcs10Request Csr(RSA key, string subject = "CN=device-1,O=Example", string? challenge = "secret-123") =>
        new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challenge }.Build(key, HashAlgorithmName.SHA256);

    public static RSA Key(int slot = 1) => TestPki.CachedRsa(slot);
}
