using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.SampleHost.Admin;

namespace Scep.SampleHost;

/// <summary>
/// The admin commands (<c>dotnet run --project samples/Scep.SampleHost -- &lt;command&gt;</c>), parsed with
/// System.CommandLine (each command is a class in <c>Admin/</c>). They read the same configuration as the server
/// (appsettings.json, appsettings.{environment}.json, environment variables) and work on its data folder and
/// database directly, so they run while the server runs. Exit codes: 0 done, 1 refused or failed, 2 usage error.
/// </summary>
public static class AdminCommands
{
    private static readonly string[] HelpArguments = ["--help", "-h", "-?"];

    /// <summary>The commands as <c>--help</c> describes them (never invoked: each run builds its own).</summary>
    private static readonly IReadOnlyList<AdminCommand> Definitions = AdminCommandSet.Create();

    /// <summary>The usage of the server and of every admin command, as <c>--help</c> prints it.</summary>
    public static string Usage { get; } = HelpText.Build(Definitions);

    /// <summary>Whether the arguments name an admin command (the server's own arguments start with <c>--</c>).</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Definitions.Any(c => c.Name == args[0]);

    /// <summary>Whether the arguments ask for the whole usage: <c>help</c>, or <c>--help</c>, <c>-h</c>, <c>-?</c> outside a command.</summary>
    public static bool IsHelp(string[] args) =>
        args.Length > 0 && (args[0] == "help" || (!IsCommand(args) && args.Any(a => HelpArguments.Contains(a))));

    /// <summary>A first argument that is neither a command nor a server setting (<c>--key value</c>, <c>key=value</c>), or null.</summary>
    public static string? UnknownCommand(string[] args) =>
        args.Length > 0 && args[0].Length > 0 && !IsCommand(args) && !IsHelp(args) && args[0][0] is not ('-' or '/') && !args[0].Contains('=', StringComparison.Ordinal)
            ? args[0]
            : null;

    /// <summary>Runs one command with the configuration the server would read (<see cref="SettingsLocation"/>) and the environment.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!IsCommand(args) || IsHelp(args))
        {
            return await WriteUsageAsync(args, output).ConfigureAwait(false);
        }

        var commands = AdminCommandSet.Create();
        if (await ReportParseErrorsAsync(Parse(args, commands), commands, error).ConfigureAwait(false) is { } usageError)
        {
            return usageError;
        }

        IConfiguration configuration;
        try
        {
            var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
            configuration = new ConfigurationBuilder()
                .SetBasePath(SettingsLocation.BasePath())
                .AddJsonFile(SettingsLocation.FileName, optional: true)
                .AddJsonFile($"appsettings.{environment}.json", optional: true)
                .AddEnvironmentVariables()
                .Build();
            SettingsCheck.ThrowIfInvalid(configuration);
        }
        catch (SampleHostConfigurationException e)
        {
            await error.WriteLineAsync($"{args[0]}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var services = new ServiceCollection().AddSampleHostCore(configuration).BuildServiceProvider();
        await using (services.ConfigureAwait(false))
        {
            return await RunAsync(args, services, output, error, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one command against <paramref name="services"/> (a host's, in tests).</summary>
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!IsCommand(args) || IsHelp(args))
        {
            return await WriteUsageAsync(args, output).ConfigureAwait(false);
        }

        var commands = AdminCommandSet.Create();
        foreach (var command in commands)
        {
            command.Command.SetAction((parse, token) => ExecuteAsync(command, parse, services, output, error, token));
        }

        var parsed = Parse(args, commands);
        if (await ReportParseErrorsAsync(parsed, commands, error).ConfigureAwait(false) is { } usageError)
        {
            return usageError;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static ParseResult Parse(string[] args, IReadOnlyList<AdminCommand> commands)
    {
        var root = new RootCommand("Scep.SampleHost admin commands");
        foreach (var command in commands)
        {
            root.Subcommands.Add(command.Command);
        }

        return root.Parse(args);
    }

    private static async Task<int> WriteUsageAsync(string[] args, TextWriter output)
    {
        await output.WriteLineAsync(Usage).ConfigureAwait(false);
        return IsHelp(args) ? 0 : 2;
    }

    /// <summary>Prints the parse errors with the command's usage line: exit code 2, or null when there are none.</summary>
    private static async Task<int?> ReportParseErrorsAsync(ParseResult parse, IReadOnlyList<AdminCommand> commands, TextWriter error)
    {
        if (parse.Errors.Count == 0)
        {
            return null;
        }

        var command = commands.FirstOrDefault(c => c.Command == parse.CommandResult.Command) ?? commands.First(c => c.Name == parse.Tokens[0].Value);
        foreach (var problem in parse.Errors)
        {
            await error.WriteLineAsync($"{command.Name}: {problem.Message}").ConfigureAwait(false);
        }

        await error.WriteLineAsync(UsageLine(command)).ConfigureAwait(false);
        return 2;
    }

    private static string UsageLine(AdminCommand command) =>
        $"\nUsage: Scep.SampleHost {command.Synopsis}\n       (Scep.SampleHost {command.Name} --help: its options; Scep.SampleHost --help: every command)";

    private static async Task<int> ExecuteAsync(AdminCommand command, ParseResult parse, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (command.UsesDatabase && services.GetRequiredService<IOptions<SampleHostOptions>>().Value.Store == SampleHostStore.InMemory)
            {
                await error.WriteLineAsync($"{command.Name}: SampleHost:Store is InMemory, so end entities, certificates and pending requests live in the server's memory, out of reach of admin commands. Use SampleHost:Store=Database, or an RA alias.").ConfigureAwait(false);
                return 1;
            }

            if (command.UsesDataFolder)
            {
                await services.InitializeSampleHostAsync(cancellationToken).ConfigureAwait(false);
            }

            await command.RunAsync(parse, services.GetRequiredService<Administration>(), output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{command.Name}: {e.Message}{UsageLine(command)}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is AdministrationException or SampleHostConfigurationException or CryptographicException or InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            await error.WriteLineAsync($"{command.Name}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
