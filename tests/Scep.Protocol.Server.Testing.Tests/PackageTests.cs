using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>The package as a store author meets it: no test framework to drag in, and every check in the documentation.</summary>
public class PackageTests
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Scep.Protocol.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Scep.Protocol.sln) is not above " + AppContext.BaseDirectory);
    }

    [Test]
    public void Package_ReferencesTheServerAndDotNet_ButNoTestFramework()
    {
        var references = typeof(ScepStoreContract).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.Should().Contain("Scep.Protocol.Server");
        references.Should().OnlyContain(n => n.StartsWith("System", StringComparison.Ordinal) || n.StartsWith("Scep.Protocol", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));
    }

    [Test]
    public void ServerDocumentation_NamesEveryCheck()
    {
        var server = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "server.md"));

        ScepStoreContract.CheckNames.Where(n => !server.Contains($"`{n}`", StringComparison.Ordinal)).Should().BeEmpty("docs/server.md lists the checks a store author runs");
    }

    [Test]
    public void PublicTypes_AreTheContractItsStoresAndItsExceptions()
    {
        typeof(ScepStoreContract).Assembly.GetExportedTypes().Select(t => t.Name).Should().BeEquivalentTo(
            nameof(ScepStoreContract), nameof(ScepStores), nameof(StoreContractException), nameof(StoreContractNotApplicableException));
        typeof(ScepStoreContract).GetConstructors(BindingFlags.Public | BindingFlags.Instance).Should().BeEmpty("only a fixture derives from it");
    }
}
