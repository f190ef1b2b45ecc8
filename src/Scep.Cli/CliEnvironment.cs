using System;
using System.IO;
using System.Net.Http;

namespace Scep.Cli;

/// <summary>Where the command line writes, and what it talks through: the console in production, fakes in tests.</summary>
internal sealed class CliEnvironment(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Makes the HTTP handler; a socket handler when null.</summary>
    public Func<HttpMessageHandler>? HandlerFactory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether the poll progress line may be redrawn in place (a terminal), or printed once per poll.</summary>
    public bool InteractiveProgress { get; init; }
}

/// <summary>A problem with the command line or an input file: exit code 2.</summary>
internal sealed class CliUsageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server is not the one the user pinned: exit code 5.</summary>
internal sealed class CliTrustException(string message) : Exception(message);
