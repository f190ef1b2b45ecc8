using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scep.Protocol;

namespace Scep.Cli;

/// <summary>Readable names and layouts for what the command line prints.</summary>
internal static class Format
{
    public static string Name(ContentEncryptionAlgorithm algorithm) => algorithm switch
    {
        ContentEncryptionAlgorithm.DesCbc => "DES-CBC",
        ContentEncryptionAlgorithm.TripleDesCbc => "3DES-CBC",
        ContentEncryptionAlgorithm.Aes128Cbc => "AES-128-CBC",
        ContentEncryptionAlgorithm.Aes192Cbc => "AES-192-CBC",
        ContentEncryptionAlgorithm.Aes256Cbc => "AES-256-CBC",
        _ => algorithm.ToString(),
    };

    public static string Name(HashAlgorithmName digest) => digest.Name switch
    {
        "SHA1" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        null => "?",
        var other => other,
    };

    public static string Name(KeyTransportAlgorithm algorithm) => algorithm switch
    {
        KeyTransportAlgorithm.RsaPkcs1 => "RSA PKCS#1 v1.5",
        KeyTransportAlgorithm.RsaOaepSha1 => "RSA-OAEP SHA-1",
        KeyTransportAlgorithm.RsaOaepSha256 => "RSA-OAEP SHA-256",
        KeyTransportAlgorithm.RsaOaepSha384 => "RSA-OAEP SHA-384",
        KeyTransportAlgorithm.RsaOaepSha512 => "RSA-OAEP SHA-512",
        _ => algorithm.ToString(),
    };

    public static string Name(MessageType type) => type switch
    {
        MessageType.CertRep => "CertRep",
        MessageType.RenewalReq => "RenewalReq",
        MessageType.UpdateReq => "UpdateReq",
        MessageType.PKCSReq => "PKCSReq",
        MessageType.CertPoll => "CertPoll (GetCertInitial)",
        MessageType.GetCert => "GetCert",
        MessageType.GetCRL => "GetCRL",
        _ => "unknown",
    };

    public static string Name(PkiStatus status) => status switch
    {
        PkiStatus.Success => "SUCCESS",
        PkiStatus.Failure => "FAILURE",
        PkiStatus.Pending => "PENDING",
        _ => ((int)status).ToString(CultureInfo.InvariantCulture),
    };

    public static string Name(FailInfo failInfo) => failInfo switch
    {
        FailInfo.BadAlg => "badAlg (unrecognized or unsupported algorithm)",
        FailInfo.BadMessageCheck => "badMessageCheck (integrity check failed)",
        FailInfo.BadRequest => "badRequest (transaction not permitted or supported)",
        FailInfo.BadTime => "badTime (signingTime not close enough to the server's time)",
        FailInfo.BadCertId => "badCertId (no certificate matches)",
        _ => ((int)failInfo).ToString(CultureInfo.InvariantCulture),
    };

    public static string Short(FailInfo failInfo) => failInfo switch
    {
        FailInfo.BadAlg => "badAlg",
        FailInfo.BadMessageCheck => "badMessageCheck",
        FailInfo.BadRequest => "badRequest",
        FailInfo.BadTime => "badTime",
        FailInfo.BadCertId => "badCertId",
        _ => ((int)failInfo).ToString(CultureInfo.InvariantCulture),
    };

    public static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "(absent)" : Convert.ToHexString(bytes);

    public static string Fingerprint(X509Certificate2 certificate, HashAlgorithmName hash) =>
        string.Join(':', Convert.ToHexString(certificate.GetCertHash(hash)).Chunk(2).Select(c => new string(c)));

    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Time(DateTime time) => Time(new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero));

    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMinutes(1))
        {
            return $"{Math.Max(0, (int)Math.Round(duration.TotalSeconds))}s";
        }

        if (duration < TimeSpan.FromHours(1))
        {
            return duration.Seconds == 0 ? $"{(int)duration.TotalMinutes}m" : $"{(int)duration.TotalMinutes}m{duration.Seconds}s";
        }

        return duration.Minutes == 0 ? $"{(int)duration.TotalHours}h" : $"{(int)duration.TotalHours}h{duration.Minutes}m";
    }

    /// <summary>"90s", "10m", "1h30m", "2h", a plain number of seconds, or a TimeSpan ("00:10:00").</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var value = text.Trim();
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (value.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        var total = TimeSpan.Zero;
        var number = new StringBuilder();
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                number.Append(c);
                continue;
            }

            if (number.Length == 0 || !int.TryParse(number.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                throw new CliUsageException($"{option}: '{text}' is not a duration (examples: 90s, 10m, 1h30m).");
            }

            total += char.ToLowerInvariant(c) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => throw new CliUsageException($"{option}: '{text}' is not a duration (examples: 90s, 10m, 1h30m)."),
            };
            number.Clear();
        }

        if (number.Length > 0 || value.Length == 0)
        {
            throw new CliUsageException($"{option}: '{text}' is not a duration (examples: 90s, 10m, 1h30m).");
        }

        return total;
    }

    public static string KeyDescription(PublicKey key)
    {
        if (key.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                return $"RSA {rsa.KeySize}";
            }
        }

        if (key.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                var curve = ec.ExportParameters(false).Curve;
                return $"EC {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "?"}";
            }
        }

        return key.Oid.FriendlyName ?? key.Oid.Value ?? "?";
    }

    public static string KeyUsage(X509Certificate2 certificate)
    {
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages;
        if (usage is null)
        {
            return "(no keyUsage extension: any)";
        }

        var names = new List<string>();
        void Add(X509KeyUsageFlags flag, string name)
        {
            if ((usage.Value & flag) != 0)
            {
                names.Add(name);
            }
        }

        Add(X509KeyUsageFlags.DigitalSignature, "digitalSignature");
        Add(X509KeyUsageFlags.NonRepudiation, "nonRepudiation");
        Add(X509KeyUsageFlags.KeyEncipherment, "keyEncipherment");
        Add(X509KeyUsageFlags.DataEncipherment, "dataEncipherment");
        Add(X509KeyUsageFlags.KeyAgreement, "keyAgreement");
        Add(X509KeyUsageFlags.KeyCertSign, "keyCertSign");
        Add(X509KeyUsageFlags.CrlSign, "cRLSign");
        return names.Count == 0 ? "(empty)" : string.Join(", ", names);
    }

    public static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority == true;

    /// <summary>The lines that describe one certificate, each starting with <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Certificate(X509Certificate2 certificate, string indent)
    {
        yield return $"{indent}subject      {certificate.Subject}";
        yield return $"{indent}issuer       {certificate.Issuer}{(certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? " (self-signed)" : string.Empty)}";
        yield return $"{indent}serial       {certificate.SerialNumber}";
        yield return $"{indent}valid        {Time(certificate.NotBefore)} to {Time(certificate.NotAfter)}";
        yield return $"{indent}key          {KeyDescription(certificate.PublicKey)}";
        yield return $"{indent}keyUsage     {KeyUsage(certificate)}";
        yield return $"{indent}CA           {(IsCa(certificate) ? "yes" : "no")}";
        yield return $"{indent}SHA-256      {Fingerprint(certificate, HashAlgorithmName.SHA256)}";
    }

    public static string Capabilities(CaCapabilities capabilities) =>
        capabilities.IsEmpty ? "(none)" : capabilities.ToString();
}
