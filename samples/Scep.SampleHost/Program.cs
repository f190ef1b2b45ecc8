using System;
using System.Reflection;
using Scep.SampleHost;

// `Scep.SampleHost --help` (or `dotnet run --project samples/Scep.SampleHost -- --help`): the usage of the server and
// of every admin command. `... -- <command>`: an admin command on the same data folder and database.
if (AdminCommands.IsHelp(args))
{
    await Console.Out.WriteLineAsync(AdminCommands.Usage);
    return 0;
}

if (AdminCommands.IsCommand(args))
{
    return await AdminCommands.RunAsync(args, Console.Out, Console.Error);
}

if (AdminCommands.UnknownCommand(args) is { } unknown)
{
    await Console.Error.WriteLineAsync($"Scep.SampleHost: '{unknown}' is not a command (Scep.SampleHost --help lists them; server settings are --Key value or Key=value).");
    return 2;
}

// The server. What keeps it from starting (a setting, the CA file, the address, the database) is one line on
// standard error and exit code 1, never a stack trace; unless a test host (WebApplicationFactory) runs this entry
// point in its own process, where the exception goes to the test.
try
{
    await SampleHostServer.RunAsync(args);
    return 0;
}
catch (Exception e) when (Assembly.GetEntryAssembly() == typeof(Program).Assembly && StartupFailure.Describe(e) is { } line)
{
    await Console.Error.WriteLineAsync(line);
    return 1;
}

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program
{
}
