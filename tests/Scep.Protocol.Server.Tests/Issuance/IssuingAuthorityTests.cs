using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Issuance;

/// <summary><see cref="IssuingAuthority"/> behind the pipeline, over the in-memory <see cref="ICertificateStore"/>.</summary>
public class IssuingAuthorityTests
{
    private static ServerHarness Server(Action<IssuingAuthorityOptions>? configure = null, Action<ScepServerBuilder>? build = null, ScepCaCredentials? credentials = null) =>
        ServerHarness.Create(
            build: b =>
            {
                b.AddIssuingAuthority(configure);
                build?.Invoke(b);
            },
            credentials: credentials);

    private static IssuingAuthority Authority(ServerHarness server) => server.Services.GetRequiredService<IssuingAuthority>();

    private static ICertificateStore Store(ServerHarness server) => server.Services.GetRequiredService<ICertificateStore>();

    [Test]
    public async Task Enroll_IssuesWithTheProfileAndRecordsTheCertificateBeforeTheReply()
    {
        using var server = Server(o => o.Profile.Validity = TimeSpan.FromDays(30));
        server.Entities.Add("router-1", "code-1", subjectDn: "CN=router-1,O=Registered");
        var client = server.NewClient("CN=router-1", "code-1", keySlot: 210, transactionId: "tid-issuing-1");

        var issued = client.IssuedFrom(await client.EnrollAsync());

        issued.Subject.Should().Be("CN=router-1, O=Registered");
        issued.NotAfter.ToUniversalTime().Should().Be(server.Now.AddDays(30).UtcDateTime);
        var record = await Store(server).FindAsync(issued.SerialNumber, default);
        record!.RawData.Should().Equal(issued.RawData);
        (record.Username, record.Alias, record.TransactionId, record.IssuerId).Should().Be(("router-1", "scep", "tid-issuing-1", ScepCaCredentials.IdOf(server.Ca.Certificate)));
        (await Store(server).FindByTransactionAsync("SCEP", "tid-issuing-1", default))!.SerialNumber.Should().Be(issued.SerialNumber, "aliases are case-insensitive");
    }

    [Test]
    public async Task GetCert_FindsTheIssuedCertificate_AndRenewalCheckSeesItGood()
    {
        using var server = Server();
        var issued = await server.IssueAsync("router-2", 211);

        var reply = await server.SendAsync(PkiMessage.CreateGetCert(IssuerAndSerialNumber.FromCertificate(issued.Certificate), server.Parameters(issued)));
        var status = await Authority(server).GetCertificateStatusAsync("default", issued.Certificate, default);

        reply.Decrypt(issued.Certificate, issued.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.Certificates[0].RawData.Should().Equal(issued.Certificate.RawData);
        status.Should().Be(CertificateStatus.Good);
    }

    [Test]
    public async Task Revoke_PutsTheCertificateOnTheNextCrl_WithAHigherNumber_AndTellsTheObservers()
    {
        var heard = new List<EnrollmentEvent>();
        using var server = Server(build: b => b.AddEnrollmentObserver(new Observer(heard)));
        var issued = await server.IssueAsync("router-3", 212);
        var id = IssuerAndSerialNumber.FromCertificate(issued.Certificate);
        var before = await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued)));

        var (result, record) = await Authority(server).RevokeAsync(issued.Certificate.SerialNumber.ToLowerInvariant(), X509RevocationReason.KeyCompromise, default);
        var after = await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued)));
        var again = await Authority(server).RevokeAsync(issued.Certificate.SerialNumber, null, default);

        result.Should().Be(RevocationResult.Revoked);
        record!.RevocationReason.Should().Be(X509RevocationReason.KeyCompromise);
        again.Result.Should().Be(RevocationResult.AlreadyRevoked);
        var first = CertificateRevocationListBuilder.Load(Crl(before, issued), out var firstNumber);
        var second = CertificateRevocationListBuilder.Load(Crl(after, issued), out var secondNumber);
        first.RemoveEntry(issued.Certificate.SerialNumberBytes.Span).Should().BeFalse();
        second.RemoveEntry(issued.Certificate.SerialNumberBytes.Span).Should().BeTrue();
        secondNumber.Should().BeGreaterThan(firstNumber);
        (await Authority(server).GetCertificateStatusAsync("default", issued.Certificate, default)).Should().Be(CertificateStatus.Revoked);
        heard.Where(e => e.Kind == EnrollmentEventKind.Revoked).Should().ContainSingle()
            .Which.CertificateRawData.ToArray().Should().Equal(issued.Certificate.RawData);
    }

    [Test]
    public async Task GetCrl_Twice_ServesTheStoredCrlUntilARevocation()
    {
        using var server = Server();
        var issued = await server.IssueAsync("router-4", 213);
        var id = IssuerAndSerialNumber.FromCertificate(issued.Certificate);

        var first = Crl(await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued))), issued);
        var second = Crl(await server.SendAsync(PkiMessage.CreateGetCrl(id, server.Parameters(issued))), issued);

        second.Should().Equal(first);
    }

    [Test]
    public async Task ApprovalAlias_HoldsTheRequest_ApproveIssuesAndThePollDeliversIt()
    {
        using var server = Server(o => o.ApprovalAliases.Add("scep"));
        server.Entities.Add("router-5", "code-5");
        var client = server.NewClient("CN=router-5", "code-5", keySlot: 214);
        (await client.EnrollAsync()).Status.Should().Be(PkiStatus.Pending);
        var pending = (await Store(server).ListPendingAsync(default)).Single();

        var approved = await Authority(server).ApproveAsync(pending.Id, default);
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        client.IssuedFrom(reply).RawData.Should().Equal(approved.RawData);
        (await Store(server).ListPendingAsync(default)).Should().BeEmpty();
        var twice = () => Authority(server).ApproveAsync(pending.Id, default).AsTask();
        await twice.Should().ThrowAsync<InvalidOperationException>().WithMessage("*approved already*");
    }

    [Test]
    public async Task ApprovalAlias_Rejected_ThePollGetsTheReason()
    {
        using var server = Server(o => o.ApprovalAliases.Add("scep"));
        server.Entities.Add("router-6", "code-6");
        var client = server.NewClient("CN=router-6", "code-6", keySlot: 215);
        await client.EnrollAsync();
        var pending = (await Store(server).ListPendingAsync(default)).Single();

        (await Authority(server).RejectAsync(pending.Id, "Not in the inventory.", default)).Should().BeTrue();
        var reply = await server.SendAsync(client.Poll(server.Ca.Certificate));

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfoText.Should().Be("Not in the inventory.");
        (await Authority(server).RejectAsync(pending.Id, "again", default)).Should().BeFalse("decided already");
    }

    [Test]
    public async Task AliasProfile_AppliesToItsAliasOnly()
    {
        using var server = Server(o => o.AliasProfiles["ra"] = new CertificateProfile { Validity = TimeSpan.FromDays(7) });
        server.Entities.Add("router-7", "code-7");

        var ca = server.NewClient("CN=router-7", "code-7", keySlot: 216);
        var ra = server.NewClient("CN=device-7", "ra-secret", keySlot: 217);
        var caCertificate = ca.IssuedFrom(await ca.EnrollAsync());
        var raCertificate = ra.IssuedFrom(await ra.EnrollAsync("ra"));

        (caCertificate.NotAfter - caCertificate.NotBefore).Should().BeCloseTo(TimeSpan.FromDays(365) + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
        (raCertificate.NotAfter - raCertificate.NotBefore).Should().BeCloseTo(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
    }

    [Test]
    public async Task Enroll_EnvelopedToTheNextCa_IsIssuedWithTheNextCasKey()
    {
        var next = TestPki.CreateCa("CN=Scep Test CA G5,O=Scep.Protocol Tests", TestPki.CachedRsa(905));
        ServerHarness.NextCaKey = next.Key;
        var credentials = new ScepCaCredentials
        {
            CaCertificate = TestPki.Ca.Certificate,
            DecryptionCertificate = TestPki.Ca.Certificate,
            DecryptionKey = TestPki.Ca.Rsa,
            SigningCertificate = TestPki.Ca.Certificate,
            SigningKey = TestPki.Ca.Key,
            CaKey = TestPki.Ca.Key,
            Next = ScepCaCredentials.ForCa(next.Certificate, next.Rsa),
        };
        using var server = Server(credentials: credentials);
        server.Entities.Add("router-8", "code-8");
        var client = server.NewClient("CN=router-8", "code-8", keySlot: 218, recipient: next.Certificate);

        var issued = client.IssuedFrom(await client.EnrollAsync());

        issued.Issuer.Should().Be(next.Certificate.Subject);
        (await Store(server).FindAsync(issued.SerialNumber, default))!.IssuerId.Should().Be(ScepCaCredentials.IdOf(next.Certificate));
    }

    [Test]
    public async Task FindIssuedAsync_ByTransactionOrByUserSince_FindsTheRecord()
    {
        using var server = Server();
        server.Entities.Add("router-9", "code-9");
        var client = server.NewClient("CN=router-9", "code-9", keySlot: 219, transactionId: "tid-issuing-9");
        var issued = client.IssuedFrom(await client.EnrollAsync());

        var byTransaction = await Authority(server).FindIssuedAsync(new IssuedEnrollmentQuery { CaName = "default", Alias = "scep", TransactionId = "tid-issuing-9", Since = ServerHarness.Start }, default);
        var byUser = await Authority(server).FindIssuedAsync(new IssuedEnrollmentQuery { CaName = "default", Alias = "scep", Username = "router-9", Since = ServerHarness.Start }, default);
        var tooLate = await Authority(server).FindIssuedAsync(new IssuedEnrollmentQuery { CaName = "default", Alias = "scep", Username = "router-9", Since = server.Now.AddMinutes(1) }, default);

        byTransaction!.RawData.Should().Equal(issued.RawData);
        byUser!.RawData.Should().Equal(issued.RawData);
        tooLate.Should().BeNull();
    }

    [Test]
    public void Validation_AProfileWithAShortSerial_FailsStartUpNamingTheSetting()
    {
        var create = () => Server(o => o.Profile.SerialNumberLength = 4).Handler;

        create.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Issuing:Profile*SerialNumberLength*");
    }

    private static byte[] Crl(PkiMessage reply, TestCredential requester)
    {
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        return reply.Decrypt(requester.Certificate, requester.Rsa, ScepAlgorithmPolicy.Legacy).CertificateSet!.Crls.Single().ToArray();
    }

    private sealed class Observer(List<EnrollmentEvent> heard) : IEnrollmentObserver
    {
        public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
        {
            lock (heard)
            {
                heard.Add(enrollmentEvent);
            }

            return ValueTask.CompletedTask;
        }
    }
}
