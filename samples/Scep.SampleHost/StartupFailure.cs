using System;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost;

/// <summary>
/// The one line the server prints on standard error when it cannot start (then it exits with code 1): what is wrong
/// and which setting or file to change, never a stack trace or a secret.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>The prefix of every such line.</summary>
    public const string Prefix = "Scep.SampleHost cannot start: ";

    /// <summary>The line for <paramref name="exception"/>, or null for the one that must pass (a test host stopping the program once it is built).</summary>
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is HostAbortedException)
        {
            return null;
        }

        var reason = exception switch
        {
            SampleHostConfigurationException e => e.Message,
            OptionsValidationException e => string.Join(" ", e.Failures),
            IOException e when e.InnerException is AddressInUseException => $"{Address(e)} is in use by another process: give the server a free address with --urls URL (or the setting Urls, or ASPNETCORE_URLS).",
            IOException e when e.Message.StartsWith("Failed to bind", StringComparison.Ordinal) => $"{Flatten(e)} (setting Urls: --urls URL or ASPNETCORE_URLS).",
            DbException e => $"the database does not answer (SQLite in SampleHost:DataDirectory, or PostgreSQL with ConnectionStrings:Scep): {Flatten(e)}",
            UnauthorizedAccessException or IOException => $"{Flatten(exception)} (check SampleHost:DataDirectory and its permissions).",
            _ => $"{exception.GetType().Name}: {Flatten(exception)}",
        };
        return Prefix + reason;
    }

    private static string Address(IOException exception) =>
        BindAddress().Match(exception.Message) is { Success: true } match ? match.Groups["address"].Value : "The address";

    /// <summary>The message and its inner messages, on one line.</summary>
    private static string Flatten(Exception exception)
    {
        var messages = new System.Collections.Generic.List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            if (!messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages);
    }

    [GeneratedRegex("^Failed to bind to address (?<address>\\S+?):? address already in use")]
    private static partial Regex BindAddress();
}
