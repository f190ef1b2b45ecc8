using System.Threading.Tasks;
using Scep.Protocol.Client.Tests.Cli;

namespace Scep.Protocol.Client.Tests.Pipeline;

/// <summary>The scep command line against the real pipeline in process (its HTTP through <see cref="PipelineHttpHandler"/>, its clock the pipeline's).</summary>
public class PipelineCommandLineTests
{
    [Test]
    public async Task GetCrl_WithoutACertificate_FetchesTheCrlOfTheIssuingCaBelowAnIntermediate()
    {
        using var server = PipelinePki.IssuingCaChainServer();

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "getcrl", PipelineServer.Endpoint("ra").ToString());

        run.ExitCode.Should().Be(0, run.Output + run.Error);
        run.Output.Should().Contain("signature verified with CN=Pipeline Test Issuing CA, O=Scep.Protocol Tests")
            .And.Contain("issuer     CN=Pipeline Test Issuing CA, O=Scep.Protocol Tests");
    }

    [Test]
    public async Task Check_IssuingCaBelowAnIntermediate_GetsTheCrlThatCoversTheIssuedCertificate()
    {
        using var server = PipelinePki.IssuingCaChainServer();

        var run = await CliRunner.RunAsync(server.Http, server.Clock, "check", PipelineServer.Endpoint("ra").ToString(), "--challenge", PipelineServer.RaChallenge);

        run.Output.Should().MatchRegex(@"GetCACert\s+pass\s+2 certificates \(CA chain\), issuer CN=Pipeline Test Issuing CA")
            .And.MatchRegex(@"GetCRL\s+pass\s+CRL signed by CN=Pipeline Test Issuing CA");
    }
}
