using System.CommandLine;
using System.Linq;

namespace Scep.Cli;

/// <summary><c>scep check</c>.</summary>
internal static class CheckCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var challenge = new Option<string?>("--challenge") { HelpName = "PASSWORD", Description = "The challengePassword the server wants; enrollment checks fail without it, and the wrong-password check needs it" };
        var command = new Command("check", "Conformance check: operations, GET and POST, each content encryption and digest, failure replies; a pass/fail table. It enrolls about 15 certificates on the server.") { challenge };
        command.Arguments.Add(server.Url);
        command.Options.Add(server.CaIdent);
        command.Options.Add(server.CaFingerprint);
        command.Options.Add(server.Timeout);
        command.Options.Add(server.Verbose);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            using var http = server.CreateHttpClient(result, environment);
            var check = new ConformanceCheck(http, server.GetUrl(result), result.GetValue(challenge), result.GetValue(server.CaIdent), result.GetValue(server.CaFingerprint), environment.Time);
            await check.RunAsync(token).ConfigureAwait(false);
            check.Print(environment.Out);
            return check.Rows.Any(r => r.Verdict == Verdict.Fail) ? ExitCodes.Refused : ExitCodes.Success;
        }, token));
        return command;
    }
}
