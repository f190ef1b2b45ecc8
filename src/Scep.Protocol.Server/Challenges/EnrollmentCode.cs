using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scep.Protocol.Server;

/// <summary>
/// Enrollment codes at rest: stored as a salted hash, compared in constant time. <c>sha256</c> suits the random
/// one-time codes SCEP deployments hand out (fast, so enrollment stays cheap); <c>pbkdf2-sha256</c> suits codes
/// people choose.
/// </summary>
public static class EnrollmentCode
{
    private const int SaltLength = 16;

    /// <summary>Hashes a code for storage.</summary>
    /// <param name="code">The enrollment code.</param>
    /// <param name="pbkdf2Iterations">0 for salted SHA-256; otherwise PBKDF2-HMAC-SHA256 with this many iterations.</param>
    /// <returns>A self-describing string: <c>sha256$salt$hash</c> or <c>pbkdf2-sha256$iterations$salt$hash</c>.</returns>
    public static string Hash(string code, int pbkdf2Iterations = 0)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentOutOfRangeException.ThrowIfNegative(pbkdf2Iterations);
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return pbkdf2Iterations == 0
            ? $"sha256${Convert.ToBase64String(salt)}${Convert.ToBase64String(Sha256(salt, code))}"
            : string.Create(CultureInfo.InvariantCulture, $"pbkdf2-sha256${pbkdf2Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(Pbkdf2(salt, code, pbkdf2Iterations))}");
    }

    /// <summary>Checks a presented code against a stored hash in constant time (for equal-length hashes).</summary>
    /// <param name="storedHash">The output of <see cref="Hash"/>; null never matches.</param>
    /// <param name="presented">The code the client sent; null never matches.</param>
    /// <returns>True when the code is right.</returns>
    public static bool Verify(string? storedHash, string? presented)
    {
        if (storedHash is null || presented is null)
        {
            return false;
        }

        var parts = storedHash.Split('$');
        try
        {
            if (parts is ["sha256", var salt, var hash])
            {
                return CryptographicOperations.FixedTimeEquals(Sha256(Convert.FromBase64String(salt), presented), Convert.FromBase64String(hash));
            }

            if (parts is ["pbkdf2-sha256", var iterations, var salt2, var hash2]
                && int.TryParse(iterations, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
            {
                return CryptographicOperations.FixedTimeEquals(Pbkdf2(Convert.FromBase64String(salt2), presented, count), Convert.FromBase64String(hash2));
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    /// <summary>A random code of <paramref name="length"/> characters from an alphabet without look-alikes.</summary>
    /// <param name="length">The length; 16 gives about 80 bits.</param>
    /// <returns>The code.</returns>
    public static string Generate(int length = 16)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 8);
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    private static byte[] Sha256(byte[] salt, string code)
    {
        var input = new byte[salt.Length + Encoding.UTF8.GetByteCount(code)];
        salt.CopyTo(input, 0);
        Encoding.UTF8.GetBytes(code, input.AsSpan(salt.Length));
        return SHA256.HashData(input);
    }

    private static byte[] Pbkdf2(byte[] salt, string code, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(code), salt, iterations, HashAlgorithmName.SHA256, 32);
}
