using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scep.Cli;

/// <summary>Reads certificates and keys (PEM or DER) and writes PEM and DER files.</summary>
internal static class Files
{
    public static byte[] ReadBytes(string path)
    {
        try
        {
            return path == "-" ? ReadStandardInput() : File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read {path}: {e.Message}", e);
        }
    }

    private static byte[] ReadStandardInput()
    {
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    public static bool LooksLikePem(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN "u8) >= 0;

    /// <summary>The DER of every PEM block with one of the labels, in order.</summary>
    public static List<byte[]> PemBlocks(string text, params string[] labels)
    {
        var blocks = new List<byte[]>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (labels.Length == 0 || labels.Contains(label, StringComparer.Ordinal))
            {
                blocks.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }

            rest = rest[fields.Location.End..];
        }

        return blocks;
    }

    public static List<X509Certificate2> ReadCertificates(string path)
    {
        var data = ReadBytes(path);
        try
        {
            if (LooksLikePem(data))
            {
                var certificates = PemBlocks(Encoding.ASCII.GetString(data), "CERTIFICATE").Select(X509CertificateLoader.LoadCertificate).ToList();
                return certificates.Count > 0 ? certificates : throw new CliUsageException($"{path} holds no PEM CERTIFICATE.");
            }

            return [X509CertificateLoader.LoadCertificate(data)];
        }
        catch (CryptographicException e)
        {
            throw new CliUsageException($"{path} is not a certificate: {e.Message}", e);
        }
    }

    public static X509Certificate2 ReadCertificate(string path) => ReadCertificates(path)[0];

    /// <summary>An RSA or EC private key: PKCS#8, PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"), PEM or DER.</summary>
    public static AsymmetricAlgorithm ReadPrivateKey(string path)
    {
        var data = ReadBytes(path);
        if (LooksLikePem(data))
        {
            var text = Encoding.ASCII.GetString(data);
            if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) || text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
            {
                throw new CliUsageException($"{path} is encrypted; decrypt it first (openssl pkey -in {path} -out plain.pem; micromdm's CA key has an empty password: -passin pass:).");
            }

            return (AsymmetricAlgorithm?)TryRsa(r => r.ImportFromPem(text)) ?? TryEc(e => e.ImportFromPem(text))
                ?? throw new CliUsageException($"{path} holds no RSA or EC private key.");
        }

        return (AsymmetricAlgorithm?)TryRsa(r => r.ImportPkcs8PrivateKey(data, out _)) ?? (AsymmetricAlgorithm?)TryRsa(r => r.ImportRSAPrivateKey(data, out _))
            ?? (AsymmetricAlgorithm?)TryEc(e => e.ImportPkcs8PrivateKey(data, out _)) ?? TryEc(e => e.ImportECPrivateKey(data, out _))
            ?? throw new CliUsageException($"{path} holds no RSA or EC private key.");
    }

    public static RSA ReadRsaKey(string path, string purpose) =>
        ReadPrivateKey(path) as RSA ?? throw new CliUsageException($"{path}: {purpose} needs an RSA key (SCEP replies are encrypted to it with RSA).");

    /// <summary>A new RSA key with <paramref name="import"/> applied, or null when the import fails.</summary>
    public static RSA? TryRsa(Action<RSA> import)
    {
        var rsa = RSA.Create();
        try
        {
            import(rsa);
            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            return null;
        }
    }

    private static ECDsa? TryEc(Action<ECDsa> import)
    {
        var ec = ECDsa.Create();
        try
        {
            import(ec);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ec.Dispose();
            return null;
        }
    }

    public static string Pem(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";

    public static string CertificatesPem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => Pem("CERTIFICATE", c.RawData)));

    public static string PrivateKeyPem(AsymmetricAlgorithm key) => Pem("PRIVATE KEY", key.ExportPkcs8PrivateKey());

    /// <summary>Writes a text file; secrets are created readable by the owner only.</summary>
    public static void WriteText(string path, string text, bool secret = false) => WriteBytes(path, Encoding.ASCII.GetBytes(text), secret);

    public static void WriteBytes(string path, byte[] data, bool secret = false)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (secret && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot write {path}: {e.Message}", e);
        }
    }
}
