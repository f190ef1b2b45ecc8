using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Scep.SampleHost.WebConsole;

namespace Scep.SampleHost.Admin;

/// <summary>
/// <c>hash-password</c>: reads a console password from standard input (its first line, so <c>printf %s PW |</c> and
/// a typed line both work; never an argument, which <c>ps</c> and the shell's history would show) and prints its
/// hash for <c>Console:Users:N:PasswordHash</c>.
/// </summary>
internal sealed class HashPasswordCommand : AdminCommand
{
    /// <summary>The shortest password accepted.</summary>
    public const int MinimumLength = 12;

    public HashPasswordCommand()
        : base("hash-password", "a console user's password hash (PBKDF2-SHA256) from the password on standard input")
    {
    }

    public override bool UsesDatabase => false;

    public override bool UsesDataFolder => false;

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var password = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(password))
        {
            throw new AdministrationException("No password on standard input (printf %s 'PASSWORD' | Scep.SampleHost hash-password).", AdministrationFailure.Invalid);
        }

        if (password.Length < MinimumLength)
        {
            throw new AdministrationException($"The password must have at least {MinimumLength} characters.", AdministrationFailure.Invalid);
        }

        await output.WriteLineAsync(ConsolePasswords.Hash(password)).ConfigureAwait(false);
    }
}
