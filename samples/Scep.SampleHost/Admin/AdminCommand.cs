using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary>
/// One admin command: its command line (a System.CommandLine <see cref="Command"/> with its arguments and options)
/// and what it does with <see cref="Administration"/>. A new command is a subclass in its own file plus one line in
/// <see cref="AdminCommandSet.Create"/>; parsing, usage, exit codes and error handling are shared
/// (<see cref="AdminCommands"/>).
/// </summary>
internal abstract class AdminCommand
{
    private readonly List<Option<string>> _required = [];

    protected AdminCommand(string name, string description)
    {
        Command = new Command(name, description);
        Command.Validators.Add(result =>
        {
            foreach (var option in _required.Where(o => string.IsNullOrEmpty(result.GetValue(o))))
            {
                result.AddError($"{option.Name} is required.");
            }
        });
    }

    public Command Command { get; }

    public string Name => Command.Name;

    /// <summary>Whether it works on the database (all but show-ca and rollover-ca, which use the data folder only).</summary>
    public virtual bool UsesDatabase => true;

    /// <summary>Whether it needs the data folder's CA (all but hash-password, which must not create a CA where it runs).</summary>
    public virtual bool UsesDataFolder => true;

    /// <summary>The usage line: the name, the arguments, the required options, then the optional ones in brackets.</summary>
    public string Synopsis
    {
        get
        {
            var parts = new List<string> { Name };
            parts.AddRange(Command.Arguments.Select(a => a.Name));
            foreach (var option in Command.Options.Where(o => !o.Hidden && o is not HelpOption))
            {
                var text = option.ValueType == typeof(bool) ? option.Name : $"{option.Name} {option.HelpName}";
                parts.Add(option is Option<string> value && _required.Contains(value) ? text : $"[{text}]");
            }

            return string.Join(' ', parts);
        }
    }

    /// <summary>Does the command; an <see cref="AdministrationException"/> is a refusal (exit code 1), a <see cref="System.FormatException"/> a usage error (2).</summary>
    public abstract Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken);

    protected Argument<string> AddArgument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        Command.Arguments.Add(argument);
        return argument;
    }

    /// <summary>An option that must be given a non-empty value (a parse error otherwise, exit code 2).</summary>
    protected Option<string> AddRequiredOption(string name, string valueName, string description)
    {
        var option = new Option<string>(name) { HelpName = valueName, Description = description + " (required)" };
        _required.Add(option);
        Command.Options.Add(option);
        return option;
    }

    protected Option<string?> AddOption(string name, string valueName, string description)
    {
        var option = new Option<string?>(name) { HelpName = valueName, Description = description };
        Command.Options.Add(option);
        return option;
    }

    protected Option<bool> AddFlag(string name, string description)
    {
        var option = new Option<bool>(name) { Description = description };
        Command.Options.Add(option);
        return option;
    }
}
