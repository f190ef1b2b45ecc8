using System;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// Checks the <c>Scep</c>, <c>SampleHost</c>, <c>AdminApi</c> and <c>Console</c> sections before anything starts. The configuration binder drops an
/// alias (or an admin API key) whose value does not convert (<c>Scep:Aliases:ra:Mode=Bogus</c> made the alias vanish: 404) and ignores
/// unknown keys (a misspelt <c>RaChalenge</c>); here both stop the host with the setting's name.
/// </summary>
public static partial class SettingsCheck
{
    /// <summary>Throws when a setting of the two sections does not bind.</summary>
    /// <exception cref="SampleHostConfigurationException">The first bad setting, named.</exception>
    public static void ThrowIfInvalid(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var scep = configuration.GetSection("Scep");
        foreach (var alias in scep.GetSection(nameof(ScepServerOptions.Aliases)).GetChildren())
        {
            Bind(alias, new ScepAliasOptions());
        }

        Bind(scep, new ScepServerOptions());
        Bind(configuration.GetSection(SampleHostOptions.SectionName), new SampleHostOptions());
        var admin = configuration.GetSection(AdminApi.AdminApiOptions.SectionName);
        foreach (var key in admin.GetSection(nameof(AdminApi.AdminApiOptions.ApiKeys)).GetChildren())
        {
            Bind(key, new AdminApi.AdminApiKey());
        }

        foreach (var certificate in admin.GetSection(nameof(AdminApi.AdminApiOptions.ClientCertificates)).GetChildren())
        {
            Bind(certificate, new AdminApi.AdminClientCertificate());
        }

        Bind(admin, new AdminApi.AdminApiOptions());
        var console = configuration.GetSection(WebConsole.ConsoleOptions.SectionName);
        foreach (var user in console.GetSection(nameof(WebConsole.ConsoleOptions.Users)).GetChildren())
        {
            Bind(user, new WebConsole.ConsoleUser());
        }

        Bind(console, new WebConsole.ConsoleOptions());
    }

    private static void Bind(IConfigurationSection section, object target)
    {
        try
        {
            section.Bind(target, options => options.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new SampleHostConfigurationException(Describe(section, e), e);
        }
    }

    private static string Describe(IConfigurationSection section, InvalidOperationException exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (ConversionFailure().Match(e.Message) is { Success: true } conversion)
            {
                var path = conversion.Groups["path"].Value;
                return $"{path} is '{conversion.Groups["value"].Value}', which is not {Expected(conversion.Groups["type"].Value)}.";
            }

            if (UnknownKeys().Match(e.Message) is { Success: true } unknown)
            {
                var names = unknown.Groups["names"].Value.Replace("'", string.Empty, StringComparison.Ordinal).Split(',', StringSplitOptions.TrimEntries);
                return $"{section.Path} has no setting {string.Join(" or ", names.Select(n => $"{section.Path}:{n}"))} (misspelt? docs/configuration.md lists them).";
            }
        }

        return $"{section.Path}: {exception.Message}";
    }

    /// <summary>What a value of the type looks like, for the message.</summary>
    private static string Expected(string typeName)
    {
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        return type switch
        {
            { IsEnum: true } => $"one of {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(TimeSpan) => "a time span (hh:mm:ss, or d.hh:mm:ss)",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) => "a number",
            _ => $"a {type?.Name ?? typeName}",
        };
    }

    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex ConversionFailure();

    [GeneratedRegex("the following properties were not found on the instance of [^:]+: (?<names>.*)$")]
    private static partial Regex UnknownKeys();
}
