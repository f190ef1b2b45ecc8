using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost.AdminApi;

/// <summary>
/// The configured callers, with their secrets reduced to SHA-256 at start. A presented key is hashed and compared with
/// every configured hash in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), all of them, so
/// neither a key's content, its length nor its position in the list shows in the time an answer takes.
/// </summary>
internal sealed class AdminCallers
{
    /// <summary>The shortest key accepted in the settings.</summary>
    public const int MinimumKeyLength = 32;

    private readonly (string Name, byte[] Hash, AdminRole Role)[] _keys;
    private readonly (string Name, byte[] Hash, AdminRole Role)[] _certificates;

    public AdminCallers(IOptions<AdminApiOptions> options)
    {
        var value = options.Value;
        _keys = [.. value.ApiKeys.Select(k => ($"api-key:{k.Name}", KeyHash(k), k.Role))];
        _certificates = [.. value.ClientCertificates.Select(c => ($"certificate:{c.Name}", Hex(c.Sha256, $"AdminApi:ClientCertificates '{c.Name}': Sha256"), c.Role))];
    }

    /// <summary>The caller with this key, or null.</summary>
    public (string Name, AdminRole Role)? FindByKey(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return Find(_keys, hash);
    }

    /// <summary>The caller with this certificate, or null (also when it is outside its validity).</summary>
    public (string Name, AdminRole Role)? FindByCertificate(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificate.RawData, hash);
        return Find(_certificates, hash);
    }

    /// <summary>Checks the settings: every caller named, once; keys long enough; hashes well-formed.</summary>
    public static IEnumerable<string> Problems(AdminApiOptions options)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in options.ApiKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Name) || !names.Add("k:" + key.Name))
            {
                yield return "AdminApi:ApiKeys: every key needs a Name of its own.";
            }

            if ((key.Key is null) == (key.KeySha256 is null))
            {
                yield return $"AdminApi:ApiKeys '{key.Name}': set Key or KeySha256 (one of them).";
            }
            else if (key.Key is { } text && text.Length < MinimumKeyLength)
            {
                yield return $"AdminApi:ApiKeys '{key.Name}': the key must have at least {MinimumKeyLength} characters (e.g. openssl rand -hex 32).";
            }
            else if (key.KeySha256 is { } hex && !IsSha256(hex))
            {
                yield return $"AdminApi:ApiKeys '{key.Name}': KeySha256 is not 64 hex digits.";
            }

            if (!Enum.IsDefined(key.Role))
            {
                yield return $"AdminApi:ApiKeys '{key.Name}': Role is Viewer, Operator or Admin.";
            }
        }

        foreach (var certificate in options.ClientCertificates)
        {
            if (string.IsNullOrWhiteSpace(certificate.Name) || !names.Add("c:" + certificate.Name))
            {
                yield return "AdminApi:ClientCertificates: every certificate needs a Name of its own.";
            }

            if (!IsSha256(certificate.Sha256))
            {
                yield return $"AdminApi:ClientCertificates '{certificate.Name}': Sha256 is not 64 hex digits.";
            }
        }
    }

    private static (string, AdminRole)? Find((string Name, byte[] Hash, AdminRole Role)[] callers, ReadOnlySpan<byte> hash)
    {
        (string, AdminRole)? found = null;
        foreach (var caller in callers)
        {
            // No early exit: every entry is compared.
            if (CryptographicOperations.FixedTimeEquals(caller.Hash, hash))
            {
                found = (caller.Name, caller.Role);
            }
        }

        return found;
    }

    private static byte[] KeyHash(AdminApiKey key) =>
        key.Key is { } text ? SHA256.HashData(Encoding.UTF8.GetBytes(text)) : Hex(key.KeySha256!, $"AdminApi:ApiKeys '{key.Name}': KeySha256");

    private static bool IsSha256(string? hex) => Clean(hex ?? string.Empty) is { Length: 64 } clean && clean.All(Uri.IsHexDigit);

    private static byte[] Hex(string hex, string setting) =>
        IsSha256(hex) ? Convert.FromHexString(Clean(hex)) : throw new SampleHostConfigurationException($"{setting} is not 64 hex digits.");

    private static string Clean(string hex) => hex.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).Trim().ToUpper(CultureInfo.InvariantCulture);
}
