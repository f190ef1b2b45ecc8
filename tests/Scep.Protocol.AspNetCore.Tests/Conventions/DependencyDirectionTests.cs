using System;
using System.Linq;

namespace Scep.Protocol.AspNetCore.Tests.Conventions;

/// <summary>docs/architecture.md: Client → Protocol ← Server ← AspNetCore; the ASP.NET Core layer binds the pipeline to HTTP and nothing more.</summary>
public class DependencyDirectionTests
{
    [Test]
    public void AspNetCore_ReferencesThePipelineTheCodecsAspNetCoreAndExtensions_ButNotTheClient()
    {
        var references = typeof(ScepEndpointRouteBuilderExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        references.Should().Contain(["Scep.Protocol.Server"]);
        references.Should().OnlyContain(n => n == "Scep.Protocol.Server" || n == "Scep.Protocol"
            || n.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
            || n.StartsWith("System", StringComparison.Ordinal) || n == "netstandard");
    }
}
