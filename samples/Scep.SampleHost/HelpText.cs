using System;
using System.Collections.Generic;
using System.Text;
using Scep.SampleHost.Admin;

namespace Scep.SampleHost;

/// <summary>What <c>Scep.SampleHost --help</c> prints: how to run the server, its main settings, and every admin command.</summary>
internal static class HelpText
{
    private const int Width = 100;

    private const string Server = """
        Scep.SampleHost: a SCEP server (RFC 8894) with its CA in a data folder, SQLite or PostgreSQL,
        and admin commands.

        Usage:
          Scep.SampleHost [--urls URL] [--Section:Key=value ...]  run the SCEP server (Ctrl+C stops it)
          Scep.SampleHost COMMAND [options]                       run an admin command
          Scep.SampleHost COMMAND --help                          that command's options
          Scep.SampleHost --help                                  this text
        With the SDK: dotnet run --project samples/Scep.SampleHost [-- arguments].

        The server reads appsettings.json from the working directory, else from the program's folder
        (--contentRoot DIR names another), then environment variables (Section__Key) and the command
        line (--Section:Key=value). The main settings:
          --urls URL (Urls)              where it listens; default http://127.0.0.1:8080, also ASPNETCORE_URLS
          SampleHost:DataDirectory       the data folder with ca.p12 and scep.db; default scep-data, relative
                                         to the working directory
          SCEP_CA_PASSPHRASE             the passphrase of ca.p12 (or SampleHost:CaPassphrase); without
                                         either, one is generated into the data folder (development only)
          ConnectionStrings:Scep         a PostgreSQL connection string: PostgreSQL instead of SQLite
          SampleHost:Store               Database (the default) or InMemory (nothing survives a restart)
          SampleHost:ApprovalAliases     aliases whose requests wait for approve or reject
          Scep:Aliases:NAME:Mode         Ca (a one-time code per device, see add-entity) or Ra
          Scep:Aliases:NAME:RaChallenge  the challenge of an RA alias (appsettings.json's alias ra: change-me)
        Every setting is in docs/configuration.md. A setting, file or address that keeps the server from
        starting is named in one line on standard error, and the exit code is 1.

        Admin commands work on the data folder and database of the same configuration, also while the
        server runs. Exit code 0 done, 1 refused or failed, 2 usage error.
        """;

    public static string Build(IEnumerable<AdminCommand> commands)
    {
        var text = new StringBuilder(Server.ReplaceLineEndings("\n"));
        foreach (var command in commands)
        {
            text.Append("\n  ").Append(command.Synopsis);
            foreach (var line in Wrap(command.Command.Description ?? string.Empty, Width - 6))
            {
                text.Append("\n      ").Append(line);
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length == 0 ? string.Empty : " ").Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
