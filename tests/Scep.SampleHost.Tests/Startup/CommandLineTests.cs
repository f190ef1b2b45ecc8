using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Startup;

/// <summary>The sample host's command line as a person meets it: --help, a command's --help, a word that is no command.</summary>
[Parallelizable(ParallelScope.Children)]
public class CommandLineTests
{
    private static readonly string[] Commands =
        ["add-entity", "list-entities", "list-pending", "list-certificates", "approve", "reject", "revoke", "issue-crl", "show-ca", "rollover-ca"];

    private static readonly Dictionary<string, string> Environment = new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public async Task Help_PrintsTheServerSettingsAndEveryAdminCommand_AndExitsWithoutStartingTheServer(string argument)
    {
        var run = await HostProcess.RunToExitAsync(Environment, [argument]);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("--urls URL").And.Contain("SampleHost:DataDirectory").And.Contain("SCEP_CA_PASSPHRASE")
            .And.Contain("Scep:Aliases:NAME:Mode").And.Contain("add-entity --username U [--password P] [--dn DN] [--alias A]")
            .And.Contain("revoke SERIAL [--reason R]").And.Contain("show-ca [--pem]").And.NotContain("Now listening");
        foreach (var command in Commands)
        {
            run.Output.Split('\n').Should().Contain(line => line.StartsWith("  " + command, System.StringComparison.Ordinal), command);
        }
    }

    [Test]
    public async Task CommandHelp_ListsItsOptions()
    {
        var run = await HostProcess.RunToExitAsync(Environment, ["add-entity", "--help"]);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("--username").And.Contain("--password").And.Contain("--dn").And.Contain("--alias");
    }

    [Test]
    public async Task WordThatIsNoCommand_IsAUsageError_AndStartsNoServer()
    {
        var run = await HostProcess.RunToExitAsync(Environment, ["list-entitys"]);

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("'list-entitys' is not a command").And.Contain("--help");
        run.Output.Should().NotContain("Now listening");
    }

    [Test]
    public async Task CommandWithoutItsArgument_IsAUsageError_WithTheCommandsUsageLine()
    {
        var run = await HostProcess.RunToExitAsync(Environment, ["approve"]);

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("Usage: Scep.SampleHost approve ID");
        run.Error.Split('\n').Count(line => line.Length > 0).Should().BeLessThan(5);
    }
}
