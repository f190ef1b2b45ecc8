using System;
using System.IO;

namespace Scep.SampleHost.Tests.Infrastructure;

/// <summary>The repository's root folder (the one with Scep.Protocol.sln), found above the test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Scep.Protocol.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Scep.Protocol.sln not found above " + AppContext.BaseDirectory);
    }
}
