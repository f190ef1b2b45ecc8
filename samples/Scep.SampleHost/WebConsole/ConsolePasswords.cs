using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// Console password hashes: PBKDF2-HMAC-SHA256, written <c>pbkdf2-sha256$ITERATIONS$SALT_BASE64$HASH_BASE64</c>
/// (600,000 iterations, a 16-byte random salt, a 32-byte hash, as OWASP recommends for PBKDF2-SHA256). The settings
/// hold only this, never a password.
/// </summary>
public static class ConsolePasswords
{
    /// <summary>The scheme's name, the hash's first field.</summary>
    public const string Scheme = "pbkdf2-sha256";

    public const int Iterations = 600_000;

    public const int SaltBytes = 16;

    public const int HashBytes = 32;

    /// <summary>Fewer iterations than this are refused in the settings: such a hash is too cheap to guess against.</summary>
    public const int MinimumIterations = 100_000;

    /// <summary>Hashes <paramref name="password"/> with a new salt.</summary>
    public static string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, Iterations);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="encoded"/> was made from (constant-time comparison).</summary>
    /// <exception cref="FormatException">The hash is not in this format.</exception>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        var (iterations, salt, expected) = Parse(encoded) ?? throw new FormatException($"A password hash is {Scheme}$ITERATIONS$SALT$HASH.");
        var actual = Derive(password, salt, iterations);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>What is wrong with <paramref name="encoded"/>, or null when it is well-formed.</summary>
    public static string? Problem(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return "PasswordHash is empty (make one with: Scep.SampleHost hash-password).";
        }

        if (!encoded.StartsWith(Scheme + "$", StringComparison.Ordinal))
        {
            return $"PasswordHash is not a {Scheme} hash (make one with: Scep.SampleHost hash-password).";
        }

        if (Parse(encoded) is not { } parsed)
        {
            return $"PasswordHash is malformed: {Scheme}$ITERATIONS$SALT_BASE64$HASH_BASE64 expected.";
        }

        return parsed.Iterations < MinimumIterations ? $"PasswordHash has {parsed.Iterations} iterations; at least {MinimumIterations} are needed." : null;
    }

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1 || iterations > 10_000_000)
        {
            return null;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var hash = Convert.FromBase64String(parts[3]);
            return salt.Length >= 8 && hash.Length == HashBytes ? (iterations, salt, hash) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
