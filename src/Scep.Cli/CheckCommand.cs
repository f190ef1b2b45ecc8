using System;
using System.CommandLine;
using System.Linq;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary><c>scep check</c>.</summary>
internal static class CheckCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var challenge = new Option<string?>("--challenge") { HelpName = "PASSWORD", Description = "The challengePassword the server wants; enrollment checks fail without it, and the wrong-password check needs it" };
        var renewCertificate = new Option<string?>("--renew-cert") { HelpName = "FILE", Description = "Also renew this certificate of the server's (PEM or DER), for servers that renew only after part of the validity has passed" };
        var renewKey = new Option<string?>("--renew-key") { HelpName = "FILE", Description = "The RSA key of --renew-cert" };
        var command = new Command("check", "Conformance check: operations, GET and POST, each content encryption and digest, failure replies; a pass/fail table. It enrolls about 15 certificates on the server.") { challenge, renewCertificate, renewKey };
        command.Arguments.Add(server.Url);
        command.Options.Add(server.CaIdent);
        command.Options.Add(server.CaFingerprint);
        command.Options.Add(server.Timeout);
        command.Options.Add(server.Verbose);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var renewable = RenewableCertificate(result.GetValue(renewCertificate), result.GetValue(renewKey));
            using var http = server.CreateHttpClient(result, environment);
            var check = new ConformanceCheck(http, server.GetUrl(result), result.GetValue(challenge), result.GetValue(server.CaIdent), result.GetValue(server.CaFingerprint), environment.Time, renewable);
            await check.RunAsync(token).ConfigureAwait(false);
            check.Print(environment.Out);
            return check.Rows.Any(r => r.Verdict == Verdict.Fail) ? ExitCodes.Refused : ExitCodes.Success;
        }, token));
        return command;
    }

    private static ScepSigner? RenewableCertificate(string? certificatePath, string? keyPath)
    {
        if (certificatePath is null && keyPath is null)
        {
            return null;
        }

        if (certificatePath is null || keyPath is null)
        {
            throw new CliUsageException("--renew-cert and --renew-key go together.");
        }

        try
        {
            return ScepSigner.Create(Files.ReadCertificate(certificatePath), Files.ReadRsaKey(keyPath, "renewal"));
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"{keyPath}: {e.Message}", e);
        }
    }
}
