using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Server;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>
/// Issue 16, the rollover defect seen from a client that trusts only the next CA (RFC 8894 §4.7): it fetches the next CA
/// with GetNextCACert, envelopes to it, and accepts only replies that CA signed. The pipeline must sign those replies
/// with the next CA's key; before the fix it signed them with the current CA's and this client refused them.
/// </summary>
public class PipelineRolloverTests
{
    private static readonly Lazy<TestCredential> NextCa = new(() => TestPki.CreateCa("CN=Scep Test CA G4,O=Scep.Protocol Tests", TestPki.CachedRsa(745)));

    private static PipelineServer RolloverServer()
    {
        var current = TestPki.Ca;
        return PipelineServer.Create(credentials: new ScepCaCredentials
        {
            CaCertificate = current.Certificate,
            DecryptionCertificate = current.Certificate,
            DecryptionKey = current.Rsa,
            SigningCertificate = current.Certificate,
            SigningKey = current.Key,
            Next = ScepCaCredentials.ForCa(NextCa.Value.Certificate, NextCa.Value.Rsa),
        }, nextCaKey: NextCa.Value.Key);
    }

    /// <summary>The server as a client that trusts only the next CA sees it: the current capabilities, the next CA's certificates.</summary>
    private static async Task<ScepServerInfo> NextCaOnlyAsync(ScepClient client)
    {
        var current = await client.GetServerInfoAsync();
        var next = await client.GetNextCaCertificatesAsync(current);
        return ScepServerInfo.Create(current.Capabilities, next);
    }

    [Test]
    public async Task EnrollAsync_TrustingOnlyTheNextCa_IsIssuedByTheNextCaAndTheReplyVerifies()
    {
        using var server = RolloverServer();
        server.AddEntity("laptop-9", "code-9");
        var client = server.Client();
        var nextOnly = await NextCaOnlyAsync(client);
        using var key = RSA.Create(2048);

        var result = await client.EnrollAsync(nextOnly, PipelineServer.Csr(key, "CN=laptop-9", "code-9"), key);

        result.Status.Should().Be(EnrollmentStatus.Issued, result.ToString());
        result.Certificate!.Issuer.Should().Be(NextCa.Value.Certificate.Subject);
    }

    [Test]
    public async Task EnrollAsync_TrustingOnlyTheNextCa_WithAWrongCode_GetsAVerifiedFailure()
    {
        using var server = RolloverServer();
        server.AddEntity("laptop-10", "code-10");
        var client = server.Client();
        var nextOnly = await NextCaOnlyAsync(client);
        using var key = RSA.Create(2048);

        var result = await client.EnrollAsync(nextOnly, PipelineServer.Csr(key, "CN=laptop-10", "wrong"), key);

        result.Status.Should().Be(EnrollmentStatus.Failed, "the FAILURE verifies with the next CA, so the client reads it");
        result.FailInfo.Should().Be(FailInfo.BadRequest);
    }
}
