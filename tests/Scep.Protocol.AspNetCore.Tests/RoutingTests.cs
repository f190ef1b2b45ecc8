using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Scep.Protocol.AspNetCore.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests;

/// <summary>
/// Which alias a request reaches through <c>MapScep(pattern[, alias])</c>: the fixed alias, the <c>{alias}</c> route
/// value, the pipeline's DefaultAlias, over Kestrel with the patterns samples/Scep.SampleHost/Program.cs maps. Each
/// alias is told apart by the CA its GetCACert returns (<c>other</c> is on a second CA).
/// </summary>
public class RoutingTests
{
    private ScepKestrelHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => _host = await ScepKestrelHost.StartAsync(
        map: app =>
        {
            ScepKestrelHost.MapSampleHostRoutes(app);
            app.MapScep("/fixed-other/pkiclient.exe", "other");
            app.MapScep("/default-alias/pkiclient.exe");
            app.MapScep("/both/{alias}/pkiclient.exe", "other");
        },
        configure: options => options.DefaultAlias = "ra");

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    [TestCase("/scep/pkiclient.exe", false)]
    [TestCase("/cgi-bin/pkiclient.exe", false)]
    [TestCase("/scep/scep/pkiclient.exe", false)]
    [TestCase("/scep/other/pkiclient.exe", true)]
    [TestCase("/ejbca/publicweb/apply/scep/pkiclient.exe", false)]
    [TestCase("/ejbca/publicweb/apply/scep/scep/pkiclient.exe", false)]
    [TestCase("/ejbca/publicweb/apply/scep/other/pkiclient.exe", true)]
    public async Task GetCaCert_OnEachPatternTheSampleHostMaps_AnswersWithTheRoutedAliasCa(string path, bool secondCa)
    {
        var answer = await _host.GetAsync(path + "?operation=GetCACert");

        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(ScepContentTypes.CaCertificate);
        answer.Body.Should().Equal((secondCa ? HostPki.SecondCa : HostPki.Ca).Certificate.RawData);
    }

    [Test]
    public async Task FixedAlias_PatternWithoutAliasSegment_ServesTheGivenAlias()
    {
        var answer = await _host.GetAsync("/fixed-other/pkiclient.exe?operation=GetCACert");

        answer.Body.Should().Equal(HostPki.SecondCa.Certificate.RawData);
    }

    [Test]
    public async Task NoAliasInThePatternOrTheCall_ServesTheDefaultAlias()
    {
        var enrollee = Enrollee.Create("CN=default-alias-device", keySlot: 2);

        var answer = await _host.PostAsync("/default-alias/pkiclient.exe?operation=PKIOperation", enrollee.Request.RawData);

        enrollee.IssuedFrom(answer).Subject.Should().Be("CN=default-alias-device", "DefaultAlias is the RA alias, whose challenge the request carries");
    }

    [Test]
    public async Task AliasRouteValue_WinsOverTheFixedAlias()
    {
        var routeValue = await _host.GetAsync("/both/scep/pkiclient.exe?operation=GetCACert");

        routeValue.Body.Should().Equal(HostPki.Ca.Certificate.RawData);
    }

    [TestCase("/scep/OTHER/pkiclient.exe", TestName = "AliasRouteValue_InCapitals_FindsTheAlias")]
    [TestCase("/scep/oth%65r/pkiclient.exe", TestName = "AliasRouteValue_PercentEscaped_IsDecodedBeforeTheLookup")]
    public async Task AliasRouteValue_SpelledDifferently_FindsTheAlias(string path)
    {
        var answer = await _host.GetAsync(path + "?operation=GetCACert");

        answer.Status.Should().Be(200, answer.ToString());
        answer.Body.Should().Equal(HostPki.SecondCa.Certificate.RawData);
    }

    /// <summary>Moved from the sample host's HTTP tests (UnknownAlias_Answers404): the same request, the answer pinned in full.</summary>
    [Test]
    public async Task UnknownAlias_Answers404()
    {
        var answer = await _host.GetAsync("/scep/no-such-alias/pkiclient.exe?operation=GetCACaps");

        answer.Status.Should().Be(404);
        answer.ContentType.Should().Be("text/plain; charset=utf-8");
        answer.Text.Should().Be("Unknown SCEP alias 'no-such-alias'.\n");
        answer.ContentLength.Should().Be(answer.Body.Length);
    }

    [Test]
    public async Task UnknownAlias_WithAControlCharacter_IsEchoedOnlyAsPrintableText()
    {
        var answer = await _host.GetAsync("/scep/%0A/pkiclient.exe?operation=GetCACaps");

        answer.Status.Should().Be(404);
        answer.Text.Should().Be("Unknown SCEP alias '?'.\n");
    }

    [TestCase("/scep/pkiclient.exe/extra")]
    [TestCase("/scep/a/b/pkiclient.exe")]
    [TestCase("/scep//pkiclient.exe")]
    [TestCase("/pkiclient.exe")]
    [TestCase("/scep/pkiclient")]
    public async Task PathOutsideEveryPattern_IsNotServed_EmptyRouting404(string path)
    {
        var answer = await _host.GetAsync(path + "?operation=GetCACaps");

        answer.Status.Should().Be(404);
        answer.ContentType.Should().BeNull();
        answer.Body.Should().BeEmpty();
    }

    [TestCase("/SCEP/PKICLIENT.EXE", TestName = "Path_InCapitals_IsRouted")]
    [TestCase("/scep/pkiclient.exe/", TestName = "Path_WithATrailingSlash_IsRouted")]
    [TestCase("/Scep/Other/PkiClient.exe", TestName = "PathAndAlias_InMixedCase_AreRouted")]
    public async Task Path_SpelledAsRoutingAllows_IsServed(string path)
    {
        var answer = await _host.GetAsync(path + "?operation=GetCACaps");

        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(ScepContentTypes.Capabilities);
    }

    [Test]
    public void MapScep_WithoutAPattern_Throws()
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        ((Action)(() => app.MapScep(string.Empty))).Should().Throw<ArgumentException>().WithParameterName("pattern");
        ((Action)(() => app.MapScep(null!))).Should().Throw<ArgumentNullException>().WithParameterName("pattern");
        ((Action)(() => ((IEndpointRouteBuilder)null!).MapScep("/scep"))).Should().Throw<ArgumentNullException>().WithParameterName("endpoints");
    }

    [Test]
    public void MapScep_WithoutAddScepServer_ThrowsAtMappingTime()
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        ((Action)(() => app.MapScep("/scep/pkiclient.exe"))).Should().Throw<InvalidOperationException>().WithMessage("*ScepRequestHandler*");
    }
}
