using System.Collections.Generic;
using Scep.SampleHost.WebConsole;

namespace Scep.SampleHost.Tests.WebConsole;

/// <summary>Console users for the tests, one per role, their hashes made once (600,000 PBKDF2 iterations each).</summary>
internal static class ConsoleTestUsers
{
    public const string ViewerPassword = "viewer-password-1";
    public const string OperatorPassword = "operator-password-1";
    public const string AdminPassword = "admin-password-123";

    /// <summary>The user the lockout test locks out (no other test signs in as it).</summary>
    public const string GuessedPassword = "guessed-password-1";

    private static readonly string ViewerHash = ConsolePasswords.Hash(ViewerPassword);
    private static readonly string OperatorHash = ConsolePasswords.Hash(OperatorPassword);
    private static readonly string AdminHash = ConsolePasswords.Hash(AdminPassword);
    private static readonly string GuessedHash = ConsolePasswords.Hash(GuessedPassword);

    /// <summary>The users as in-process settings (SampleHostFactory).</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Console:Enabled"] = "true",
        ["Console:Users:0:Name"] = "watch",
        ["Console:Users:0:PasswordHash"] = ViewerHash,
        ["Console:Users:0:Role"] = "Viewer",
        ["Console:Users:1:Name"] = "ops",
        ["Console:Users:1:PasswordHash"] = OperatorHash,
        ["Console:Users:1:Role"] = "Operator",
        ["Console:Users:2:Name"] = "root",
        ["Console:Users:2:PasswordHash"] = AdminHash,
        ["Console:Users:2:Role"] = "Admin",
        ["Console:Users:3:Name"] = "guessed",
        ["Console:Users:3:PasswordHash"] = GuessedHash,
        ["Console:Users:3:Role"] = "Operator",
    };

    /// <summary>The same users as environment variables (HostProcess).</summary>
    public static Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>();
        foreach (var (key, value) in Settings())
        {
            environment[key.Replace(":", "__", System.StringComparison.Ordinal)] = value!;
        }

        return environment;
    }
}
