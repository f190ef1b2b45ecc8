using System.Collections.Generic;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// The operator's web console (section <c>Console</c>, docs/console.md): off unless <see cref="Enabled"/> is set and
/// users are configured, each with a PBKDF2 password hash (<c>Scep.SampleHost hash-password</c>) and a role.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Console";

    /// <summary>Where the console is served.</summary>
    public const string PathBase = "/console";

    /// <summary>Serve the console under <c>/console</c>. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Who may sign in.</summary>
    public IList<ConsoleUser> Users { get; } = new List<ConsoleUser>();
}

/// <summary>A console user.</summary>
public sealed class ConsoleUser
{
    /// <summary>The sign-in name; the audit log shows <c>console:NAME</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The password as <see cref="ConsolePasswords.Hash"/> writes it: <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>.</summary>
    public string PasswordHash { get; set; } = string.Empty;

    /// <summary>What the user may do: the admin API's roles.</summary>
    public AdminRole Role { get; set; } = AdminRole.Viewer;
}
