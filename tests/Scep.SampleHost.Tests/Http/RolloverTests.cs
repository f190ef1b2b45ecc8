using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Http;

/// <summary><c>rollover-ca</c> writes next-ca.p12 and the running host serves it by GetNextCACert and issues with it.</summary>
public class RolloverTests
{
    [Test]
    public async Task RolloverCa_WhileRunning_GetNextCaCertServesTheNextCaSignedByTheCurrentOne()
    {
        using var directory = new TempDirectory("scep-rollover-");
        await using var host = new SampleHostFactory(directory.Path);
        var client = host.Client();
        var current = (await client.GetCaCertificatesAsync()).IssuerCertificate;
        (await client.GetCapabilitiesAsync()).Should().NotContain("GetNextCACert");

        using var output = new StringWriter();
        var exitCode = await AdminCommands.RunAsync(["rollover-ca"], host.Services, output, output, CancellationToken.None);

        exitCode.Should().Be(0, output.ToString());
        File.Exists(Path.Combine(directory.Path, "next-ca.p12")).Should().BeTrue();
        (await client.GetCapabilitiesAsync()).Should().Contain("GetNextCACert");
        var response = await client.GetAsync("GetNextCACert");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var next = NextCaCertificates.Decode(await response.Content.ReadAsByteArrayAsync());
        next.VerifySignature([current]);
        next.Next.Certificates.Should().ContainSingle().Which.RawData.Should().NotEqual(current.RawData);

        var again = await AdminCommands.RunAsync(["rollover-ca"], host.Services, output, output, CancellationToken.None);
        again.Should().Be(1, "a next CA exists already");

        var nextCa = next.Next.Certificates[0];
        var device = ScepTestClient.NewDevice("CN=after-rollover", "change-me", keySlot: 30, nextCa);
        var issued = device.IssuedFrom(await host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq()));
        issued.IssuerName.RawData.Should().Equal(nextCa.SubjectName.RawData);
        SampleHostHttpTests.ShouldChainTo(issued, nextCa);
    }
}
