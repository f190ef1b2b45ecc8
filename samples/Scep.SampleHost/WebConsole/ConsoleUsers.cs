using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Options;
using Scep.SampleHost.AdminApi;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// The configured console users and the check of a sign-in. A name that is not configured costs the same work as one
/// that is (its password is checked against a dummy hash), and a locked-out user is checked too, so the time of an
/// answer tells neither which names exist nor which are locked.
/// </summary>
public sealed class ConsoleUsers
{
    private static readonly string DummyHash = ConsolePasswords.Hash("no user has this password " + Guid.NewGuid());

    private readonly Dictionary<string, ConsoleUser> _users;
    private readonly ConsoleLockout _lockout;

    public ConsoleUsers(IOptions<ConsoleOptions> options, ConsoleLockout lockout)
    {
        _users = options.Value.Users.ToDictionary(u => u.Name, StringComparer.Ordinal);
        _lockout = lockout;
    }

    /// <summary>The user's role, or null when the name is not configured (any more).</summary>
    public AdminRole? RoleOf(string name) => _users.TryGetValue(name, out var user) ? user.Role : null;

    /// <summary>The user when the name and password are right and the user is not locked out; a failure counts towards the lockout.</summary>
    public ConsoleUser? SignIn(string name, string password)
    {
        _users.TryGetValue(name, out var user);
        var right = ConsolePasswords.Verify(password, user?.PasswordHash ?? DummyHash) && user is not null;
        if (user is null)
        {
            return null;
        }

        if (_lockout.IsLockedOut(user.Name))
        {
            return null;
        }

        if (!right)
        {
            _lockout.Failed(user.Name);
            return null;
        }

        _lockout.Succeeded(user.Name);
        return user;
    }

    /// <summary>Checks the settings: each user named once, with a role and a well-formed hash; the console needs the database.</summary>
    internal static IEnumerable<string> Problems(ConsoleOptions options, SampleHostOptions host)
    {
        if (!options.Enabled)
        {
            yield break;
        }

        if (host.Store != SampleHostStore.Database)
        {
            yield return "Console needs SampleHost:Store=Database: the administration and its audit log live in the database.";
        }

        if (options.Users.Count == 0)
        {
            yield return "Console:Enabled is true but Console:Users is empty: configure a user (docs/console.md).";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in options.Users)
        {
            if (string.IsNullOrWhiteSpace(user.Name) || user.Name.Length > 64 || user.Name.Any(char.IsControl))
            {
                yield return "Console:Users: every user needs a Name of 1 to 64 characters.";
            }
            else if (!names.Add(user.Name))
            {
                yield return $"Console:Users: the name '{user.Name}' is configured twice.";
            }

            if (ConsolePasswords.Problem(user.PasswordHash) is { } problem)
            {
                yield return $"Console:Users '{user.Name}': {problem}";
            }

            if (!Enum.IsDefined(user.Role))
            {
                yield return $"Console:Users '{user.Name}': Role is Viewer, Operator or Admin.";
            }
        }
    }
}
