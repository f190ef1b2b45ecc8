using System.Linq;

namespace Scep.Protocol.Client.Tests.Conventions;

/// <summary>docs/architecture.md: the client depends only on the codecs.</summary>
public class DependencyDirectionTests
{
    [Test]
    public void Client_ReferencesOnlyTheCodecsAndDotNet()
    {
        var references = typeof(ScepClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        references.Should().Contain("Scep.Protocol");
        references.Should().OnlyContain(n => n == "Scep.Protocol" || n.StartsWith("System", System.StringComparison.Ordinal) || n == "netstandard");
    }
}
