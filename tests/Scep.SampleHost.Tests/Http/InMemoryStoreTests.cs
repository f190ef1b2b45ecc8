using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;
using Scep.Protocol.Server.InMemory;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Http;

/// <summary><c>SampleHost:Store=InMemory</c>: the pipeline's in-memory stores with the data folder's CA, no database.</summary>
public class InMemoryStoreTests
{
    private static readonly Dictionary<string, string?> InMemory = new()
    {
        ["SampleHost:Store"] = "InMemory",
        ["SampleHost:ApprovalAliases:0"] = null,
        ["Scep:Aliases:approve:Mode"] = null,
    };

    private TempDirectory _directory = null!;
    private SampleHostFactory _host = null!;
    private X509Certificate2 _ca = null!;

    [SetUp]
    public void StartHost()
    {
        _directory = new TempDirectory("scep-in-memory-");
        _host = new SampleHostFactory(_directory.Path, settings: InMemory);
        _ca = _host.Cas.Current.Certificate;
    }

    [TearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task RaEnrollment_IssuesWithTheDataFolderCaAndKeepsEverythingInMemory()
    {
        var device = ScepTestClient.NewDevice("CN=in-memory-device,O=Branch", "change-me", keySlot: 41, _ca);

        var reply = await _host.Client("/scep/ra/pkiclient.exe").SendAsync(device.PkcsReq());

        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        device.IssuedFrom(reply).IssuerName.RawData.Should().Equal(_ca.SubjectName.RawData);
        _host.Services.GetRequiredService<IEndEntityStore>().Should().BeOfType<InMemoryEndEntityStore>();
        _host.Services.GetRequiredService<IScepTransactionStore>().Should().BeOfType<InMemoryScepTransactionStore>();
        var entity = await _host.Services.GetRequiredService<IEndEntityStore>().FindAsync("in-memory-device", CancellationToken.None);
        entity!.Status.Should().Be(EndEntityStatus.Generated);
        File.Exists(Path.Combine(_directory.Path, "scep.db")).Should().BeFalse("no database is opened");
    }

    [Test]
    public async Task ResentRequest_IsAnsweredWithTheSameCertificate()
    {
        var device = ScepTestClient.NewDevice("CN=in-memory-resent", "change-me", keySlot: 42, _ca);
        var client = _host.Client("/scep/ra/pkiclient.exe");

        var first = device.IssuedFrom(await client.SendAsync(device.PkcsReq()));
        var second = device.IssuedFrom(await client.SendAsync(device.PkcsReq()));

        second.RawData.Should().Equal(first.RawData);
    }

    [Test]
    public async Task AdminCommandsOnTheStore_AreRefusedWithTheReason()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await AdminCommands.RunAsync(["list-entities"], _host.Services, output, error, CancellationToken.None);
        var showCa = await AdminCommands.RunAsync(["show-ca"], _host.Services, output, error, CancellationToken.None);

        exitCode.Should().Be(1);
        error.ToString().Should().Contain("SampleHost:Store is InMemory");
        showCa.Should().Be(0, "show-ca only reads the data folder");
    }

    [Test]
    public async Task Health_ReportsTheCaWithoutADatabase()
    {
        var response = await _host.CreateClient().GetAsync(new Uri("/health", UriKind.Relative));

        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Test]
    public void ApprovalAliasesWithTheInMemoryStore_StopTheHostAtStart()
    {
        using var directory = new TempDirectory("scep-in-memory-approval-");
        var settings = new Dictionary<string, string?>(InMemory) { ["SampleHost:ApprovalAliases:0"] = "approve", ["Scep:Aliases:approve:Mode"] = "Ca" };
        using var host = new SampleHostFactory(directory.Path, settings: settings);

        var start = () => host.CreateClient();

        start.Should().Throw<OptionsValidationException>().WithMessage("*ApprovalAliases needs SampleHost:Store=Database*");
    }
}
