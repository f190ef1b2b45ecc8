using System;
using System.Linq;

namespace Scep.Cli.Tests.Conventions;

/// <summary>docs/architecture.md: the command line sits on the client and the codecs, never on the server side.</summary>
public class DependencyDirectionTests
{
    [Test]
    public void CommandLine_ReferencesTheClientTheCodecsAndSystemCommandLine_ButNoServerCode()
    {
        var references = typeof(ScepCommandLine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        references.Should().Contain(["Scep.Protocol.Client", "Scep.Protocol", "System.CommandLine"]);
        references.Should().OnlyContain(n => n == "Scep.Protocol.Client" || n == "Scep.Protocol" || n.StartsWith("System", StringComparison.Ordinal) || n == "netstandard");
    }
}
