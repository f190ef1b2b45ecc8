using System;
using System.CommandLine;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary>The <c>scep</c> command line: builds the commands, runs one, and maps outcomes to exit codes.</summary>
internal static class ScepCommandLine
{
    public static RootCommand Build(CliEnvironment environment)
    {
        var root = new RootCommand("scep: a SCEP (RFC 8894) client and conformance checker. " + ExitCodes.Summary);
        root.Subcommands.Add(InfoCommands.Caps(environment));
        root.Subcommands.Add(InfoCommands.GetCa(environment));
        root.Subcommands.Add(InfoCommands.GetNextCa(environment));
        root.Subcommands.Add(EnrollCommands.Enroll(environment));
        root.Subcommands.Add(EnrollCommands.Renew(environment));
        root.Subcommands.Add(EnrollCommands.Poll(environment));
        root.Subcommands.Add(QueryCommands.GetCert(environment));
        root.Subcommands.Add(QueryCommands.GetCrl(environment));
        root.Subcommands.Add(DecodeCommand.Create(environment));
        root.Subcommands.Add(CheckCommand.Create(environment));
        root.Subcommands.Add(BenchCommand.Create(environment));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var parse = Build(environment).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await environment.Error.WriteLineAsync("Run 'scep --help' or 'scep COMMAND --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = environment.Out, Error = environment.Error, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command and turns every way it can end into a message on standard error and an exit code.</summary>
    public static async Task<int> GuardAsync(CliEnvironment environment, Func<Task<int>> action, CancellationToken cancellationToken)
    {
        var error = environment.Error;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (CliTrustException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Untrusted;
        }
        catch (ScepTransportException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            if (e.StatusCode is { } status && (int)status >= 400 && e.Operation != ScepOperation.GetCACert)
            {
                await error.WriteLineAsync("hint: servers answer an HTTP error for operations they do not implement.").ConfigureAwait(false);
            }

            return ExitCodes.Transport;
        }
        catch (ScepException e)
        {
            await error.WriteLineAsync($"error: the reply was rejected ({e.Reason}): {e.Message}").ConfigureAwait(false);
            if (e.Reason == ScepError.AlgorithmNotAllowed)
            {
                await error.WriteLineAsync("hint: the server uses DES or MD5; add --legacy to accept them (RFC 8894 forbids both).").ConfigureAwait(false);
            }

            return ExitCodes.Untrusted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (CryptographicException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }

    /// <summary>Prints a CertRep's status line and, on FAILURE, its failInfo and text.</summary>
    public static void PrintReply(CliEnvironment environment, PkiMessage reply)
    {
        var algorithms = reply.Envelope?.ContentEncryptionAlgorithm is { } encryption
            ? $"{Format.Name(reply.DigestAlgorithm)}, {Format.Name(encryption)}"
            : Format.Name(reply.DigestAlgorithm);
        environment.Out.WriteLine($"CertRep      {Format.Name(reply.Status!.Value)} (signed by {reply.SignerCertificate?.Subject ?? "a GetCACert certificate"}, {algorithms})");
        if (reply.Status == PkiStatus.Failure)
        {
            environment.Out.WriteLine($"failInfo     {Format.Name(reply.FailInfo!.Value)}");
            if (reply.FailInfoText is { } text)
            {
                environment.Out.WriteLine($"failInfoText {text}");
            }
        }
    }

    public static void PrintRequest(CliEnvironment environment, ScepClient client, ScepServerInfo server, PkiMessage request)
    {
        var method = client.UsesPost(server) ? "POST" : "GET";
        var encryption = request.Envelope?.ContentEncryptionAlgorithm is { } algorithm ? Format.Name(algorithm) : "?";
        environment.Out.WriteLine($"{Format.Name(request.MessageType),-12} {method}, {encryption}, {Format.Name(request.DigestAlgorithm)}, transactionID {request.TransactionId}");
    }
}

/// <summary>The poll progress line: redrawn in place on a terminal, one line per poll otherwise.</summary>
internal sealed class PollProgressLine(CliEnvironment environment) : IProgress<PollProgress>
{
    private int _width;

    public void Report(PollProgress value)
    {
        var line = $"polling      attempt {value.Attempt}/{value.MaxAttempts}, pending for {Format.Duration(value.Elapsed)}, next poll in {Format.Duration(value.NextPollIn)}";
        if (environment.InteractiveProgress)
        {
            environment.Error.Write("\r" + line.PadRight(_width));
            _width = Math.Max(_width, line.Length);
        }
        else
        {
            environment.Error.WriteLine(line);
        }
    }

    public void Finish()
    {
        if (environment.InteractiveProgress && _width > 0)
        {
            environment.Error.WriteLine();
        }
    }
}
