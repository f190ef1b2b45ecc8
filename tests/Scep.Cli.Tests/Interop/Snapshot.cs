using System;
using System.IO;
using System.Threading.Tasks;

namespace Scep.Cli.Tests.Interop;

/// <summary>
/// Compares command output with a committed snapshot in Interop/Snapshots. With <c>SCEP_UPDATE_SNAPSHOTS=1</c> the
/// snapshot in the source tree is rewritten instead (review and commit the diff). The actual output is also kept
/// beside the test binaries, for a look when the comparison fails.
/// </summary>
public static class Snapshot
{
    public static async Task ShouldMatchAsync(string name, string actual)
    {
        var update = Environment.GetEnvironmentVariable("SCEP_UPDATE_SNAPSHOTS") == "1";
        if (update)
        {
            await File.WriteAllTextAsync(Path.Combine(SourceDirectory(), name), actual);
            Assert.Warn("Snapshot rewritten; review and commit " + name);
        }

        var expected = update ? actual : await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Interop", "Snapshots", name));
        var actualCopy = Path.Combine(TestContext.CurrentContext.WorkDirectory, Path.GetFileNameWithoutExtension(name) + ".actual.txt");
        await File.WriteAllTextAsync(actualCopy, actual);
        actual.Should().Be(expected,
            "the output must be the committed {0} (actual output in {1}; refresh with SCEP_UPDATE_SNAPSHOTS=1 if the change is intended)", name, Path.GetFullPath(actualCopy));
    }

    /// <summary>tests/Scep.Cli.Tests/Interop/Snapshots in the source tree, found upwards from the test binaries.</summary>
    private static string SourceDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Scep.Cli.Tests.csproj")))
            {
                return Directory.CreateDirectory(Path.Combine(directory.FullName, "Interop", "Snapshots")).FullName;
            }
        }

        throw new DirectoryNotFoundException("the test project's source directory was not found above " + AppContext.BaseDirectory);
    }
}
