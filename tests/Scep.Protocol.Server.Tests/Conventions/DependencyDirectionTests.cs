using System.Linq;
using System.Reflection;

namespace Scep.Protocol.Server.Tests.Conventions;

/// <summary>docs/architecture.md: Client → Protocol ← Server ← AspNetCore; the codecs reference nothing but .NET.</summary>
public class DependencyDirectionTests
{
    private static string[] References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

    [Test]
    public void Codecs_ReferenceOnlyDotNet()
    {
        References(typeof(PkiMessage).Assembly).Should().OnlyContain(n => n.StartsWith("System", System.StringComparison.Ordinal) || n == "netstandard");
    }

    [Test]
    public void ServerPipeline_ReferencesTheCodecsAndExtensionsAbstractions_ButNotAspNetCore()
    {
        var references = References(typeof(ScepRequestHandler).Assembly);

        references.Should().Contain("Scep.Protocol");
        references.Should().NotContain(n => n.StartsWith("Microsoft.AspNetCore", System.StringComparison.Ordinal));
        references.Should().NotContain(n => n.StartsWith("Scep.Protocol.Client", System.StringComparison.Ordinal));
        references.Where(n => n.StartsWith("Microsoft.", System.StringComparison.Ordinal))
            .Should().OnlyContain(n => n.StartsWith("Microsoft.Extensions.", System.StringComparison.Ordinal));
    }
}
