using System.Security.Cryptography;

namespace Scep.Protocol;

/// <summary>Random values for senderNonce (RFC 8894 §3.2.1.5).</summary>
public static class ScepNonce
{
    /// <summary>The nonce length SCEP implementations generate.</summary>
    public const int DefaultLength = 16;

    /// <summary>A fresh random nonce from the system's cryptographic generator.</summary>
    /// <param name="length">Its length in bytes (16 unless a peer needs otherwise).</param>
    /// <returns>A new array.</returns>
    public static byte[] Create(int length = DefaultLength) => RandomNumberGenerator.GetBytes(length);
}
