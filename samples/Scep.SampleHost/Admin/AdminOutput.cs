using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary>How admin commands print: aligned tables, UTC times, certificate summaries with fingerprints.</summary>
internal static class AdminOutput
{
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).ConfigureAwait(false);
        }
    }

    public static async Task DescribeAsync(TextWriter output, string title, X509Certificate2 certificate, bool pem)
    {
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages;
        await output.WriteLineAsync($"""
            {title}:
              Subject:     {certificate.Subject}
              Serial:      {certificate.SerialNumber}
              Valid:       {Time(new DateTimeOffset(certificate.NotBefore.ToUniversalTime()))} to {Time(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()))}
              Key:         {KeyOf(certificate)}
              Key usage:   {usage}
              SHA-256:     {Fingerprint(certificate, HashAlgorithmName.SHA256)}
              SHA-1:       {Fingerprint(certificate, HashAlgorithmName.SHA1)}
            """).ConfigureAwait(false);
        if (pem)
        {
            await output.WriteLineAsync(certificate.ExportCertificatePem()).ConfigureAwait(false);
        }
    }

    private static string KeyOf(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        using var ecdsa = rsa is null ? certificate.GetECDsaPublicKey() : null;
        return rsa is not null ? $"RSA {rsa.KeySize}" : ecdsa is not null ? $"ECDSA P-{ecdsa.KeySize}" : certificate.PublicKey.Oid.Value ?? "unknown";
    }

    private static string Fingerprint(X509Certificate2 certificate, HashAlgorithmName hash) =>
        string.Join(':', certificate.GetCertHashString(hash).Chunk(2).Select(pair => new string(pair)));
}
