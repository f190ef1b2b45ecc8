using System.Linq;
using Microsoft.Extensions.Logging;

namespace Scep.SampleHost.WebConsole;

/// <summary>The console's log lines: sign-ins and refusals, with the name and address, never a password.</summary>
internal static partial class ConsoleLog
{
    public const string Category = "Scep.SampleHost.WebConsole";

    /// <summary>A name as typed at the sign-in page, made safe for a log line: printable, at most 64 characters.</summary>
    public static string Printable(string? text)
    {
        var value = new string((text ?? string.Empty).Where(c => !char.IsControl(c)).Take(64).ToArray());
        return value.Length == 0 ? "(empty)" : value;
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Console: {User} signed in from {RemoteAddress}")]
    public static partial void SignedIn(ILogger logger, string user, string remoteAddress);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Console: failed sign-in as {User} from {RemoteAddress}")]
    public static partial void SignInFailed(ILogger logger, string user, string remoteAddress);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Console: {User} ({Role}) was refused {Path}")]
    public static partial void Refused(ILogger logger, string user, string role, string path);
}
