using System;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Examples;

/// <summary>docs/server.md's "With your own authority": the class compiles, works, and is the document's word for word.</summary>
public class DomainAuthorityExampleTests
{
    [Test]
    public async Task DomainAuthority_IssuesToItsDomainAndRefusesOthers()
    {
        var authority = new DomainAuthority(new CertificateIssuer(TestPki.Ca.Certificate, TestPki.Ca.Key, new CertificateProfile()));
        using var server = ServerHarness.Create(build: b => b.AddEnrollmentAuthority(authority));

        var inside = server.NewClient("CN=printer.example.net", "ra-secret", keySlot: 240);
        var outside = server.NewClient("CN=printer.example.org", "ra-secret", keySlot: 241);

        inside.IssuedFrom(await inside.EnrollAsync("ra")).Issuer.Should().Be(TestPki.Ca.Certificate.Subject);
        (await outside.EnrollAsync("ra")).FailInfoText.Should().Be("Only devices of example.net enroll here.");
    }

    [Test]
    public void ServerMd_ShowsThisClass()
    {
        var source = File.ReadAllText(Path.Combine(Root(), "tests", "Scep.Protocol.Server.Tests", "Examples", "DomainAuthorityExampleTests.cs"));
        var start = source.LastIndexOf("sealed class DomainAuthority", StringComparison.Ordinal);
        var example = source[start..(source.IndexOf("\n}\n", start, StringComparison.Ordinal) + 2)];

        File.ReadAllText(Path.Combine(Root(), "docs", "server.md")).Should().Contain(example);
    }

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "Scep.Protocol.sln")))
        {
            directory = directory.Parent;
        }

        return directory.FullName;
    }
}

#pragma warning disable CA1062, CA1305, CA1310, CA1515, CA1822, IDE0040, IDE0060 // the example as a stranger writes it
sealed class DomainAuthority(CertificateIssuer issuer) : IEnrollmentAuthority // issues to example.net only, keeps no record
{
    public ValueTask<EnrollmentDecision> EnrollAsync(EnrollmentContext c, CancellationToken ct) => ValueTask.FromResult(
        c.CertificationRequest.CommonName?.EndsWith(".example.net", StringComparison.Ordinal) == true
            ? EnrollmentDecision.Issued(issuer.Issue(c.CertificationRequest, c.CertificationRequest.Subject, c.ReceivedAt).RawData)
            : EnrollmentDecision.Rejected(FailInfo.BadRequest, "Only devices of example.net enroll here."));
    public ValueTask<EnrollmentDecision> GetPendingDecisionAsync(PendingEnrollment p, CancellationToken ct) => throw new NotSupportedException();
    public ValueTask<X509Certificate2?> FindCertificateAsync(string ca, IssuerAndSerialNumber id, CancellationToken ct) => ValueTask.FromResult<X509Certificate2?>(null);
    public ValueTask<CertificateStatus> GetCertificateStatusAsync(string ca, X509Certificate2 c, CancellationToken ct) => ValueTask.FromResult(CertificateStatus.Unknown);
}
