using System;
using System.IO;
using Microsoft.Extensions.Configuration;

namespace Scep.SampleHost;

/// <summary>
/// Where the sample host reads appsettings.json: the folder given as content root (<c>--contentRoot DIR</c>,
/// <c>ASPNETCORE_CONTENTROOT</c> or <c>DOTNET_CONTENTROOT</c>); otherwise the working directory when it holds one
/// (<c>dotnet run --project samples/Scep.SampleHost</c> runs in the project folder), else the program's own folder,
/// where the build and <c>dotnet publish</c> put it. Without an appsettings.json there the host does not start:
/// it would have no aliases. Relative paths of the settings (the data folder) stay relative to the working directory.
/// </summary>
public static class SettingsLocation
{
    /// <summary>The settings file.</summary>
    public const string FileName = "appsettings.json";

    private const string ContentRootKey = "contentRoot";

    /// <summary>The folder whose appsettings.json the host reads.</summary>
    /// <param name="args">The command line (for <c>--contentRoot</c>).</param>
    /// <returns>The folder, or null when it is the working directory (ASP.NET Core's default).</returns>
    /// <exception cref="SampleHostConfigurationException">No appsettings.json where it is looked for.</exception>
    public static string? ContentRootFor(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[ContentRootKey];
        if (!string.IsNullOrEmpty(given))
        {
            var folder = Path.GetFullPath(given);
            return File.Exists(Path.Combine(folder, FileName))
                ? folder
                : throw new SampleHostConfigurationException($"There is no {FileName} in {folder}, the folder given as content root (--contentRoot, ASPNETCORE_CONTENTROOT or DOTNET_CONTENTROOT).");
        }

        var workingDirectory = Directory.GetCurrentDirectory();
        if (File.Exists(Path.Combine(workingDirectory, FileName)))
        {
            return null;
        }

        var programDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(AppContext.BaseDirectory));
        return File.Exists(Path.Combine(programDirectory, FileName))
            ? programDirectory
            : throw new SampleHostConfigurationException(
                $"{FileName} is neither in the working directory ({workingDirectory}) nor beside the program ({programDirectory}): run the host from the folder that holds it, or name that folder with --contentRoot DIR.");
    }

    /// <summary>The folder to read appsettings.json from, for configuration built by hand (the admin commands, which take no <c>--contentRoot</c>).</summary>
    public static string BasePath() => ContentRootFor([]) ?? Directory.GetCurrentDirectory();
}
