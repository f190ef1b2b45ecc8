using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>reset-entity</c>: sets an end entity back to NEW and lifts a lockout after too many wrong codes, optionally with a new code.</summary>
internal sealed class ResetEntityCommand : AdminCommand
{
    private readonly Argument<string> _username;
    private readonly Option<string?> _password;
    private readonly Option<string?> _validFor;

    public ResetEntityCommand()
        : base("reset-entity", "set an end entity back to NEW and clear its wrong-code count (a lockout after Scep:MaxFailedCodeAttempts); keeps its code unless --password gives a new one")
    {
        _username = AddArgument("USERNAME", "The end entity");
        _password = AddOption("--password", "P", "A new one-time enrollment code (default: keep the current one)");
        _validFor = AddOption("--valid-for", "DURATION", CodeValidity.Help);
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var username = parse.GetValue(_username)!;
        var newCode = parse.GetValue(_password);
        var entity = await admin.ResetEntityAsync(username, newCode, CodeValidity.Parse(parse.GetValue(_validFor)), cancellationToken).ConfigureAwait(false);
        var expiry = entity.EnrollmentCodeExpiresAt is { } at ? $", code valid until {AdminOutput.Time(at)}" : string.Empty;
        await output.WriteLineAsync($"Reset end entity '{entity.Username}' to NEW ({(newCode is null ? "same code" : "new code")}{expiry}).").ConfigureAwait(false);
    }
}
