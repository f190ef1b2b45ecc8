using System.Security.Cryptography;

namespace Scep.SampleHost;

/// <summary>
/// Generated one-time enrollment codes: 20 characters from 31 that cannot be mistaken for each other when read aloud or
/// typed on a device (no 0/O, 1/I/L), 99 bits from the system's CSPRNG. Upper case only, unlike the server's
/// <c>EnrollmentCode.Generate</c> (mixed case): a router's console or a phone's keyboard is where these are typed.
/// </summary>
public static class EnrollmentCodes
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public const int Length = 20;

    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, Length);
}
