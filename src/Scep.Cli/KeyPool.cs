using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Cli;

/// <summary>
/// The device keys of <c>scep bench</c>: one distinct RSA key per enrollment. An RSA-2048 key takes 50-300 ms to
/// generate, so 10,000 of them take many minutes; with a pool folder they are generated once and loaded by later
/// runs. Files are <c>rsa{bits}-{index:D6}.p8</c>, DER, PKCS#8 or PKCS#1, mode 600. Within one run no key is used twice.
/// </summary>
internal static class KeyPool
{
    public static (RSA[] Keys, int Loaded, int Generated) Get(int count, int keySize, string? directory, CancellationToken cancellationToken)
    {
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var keys = new RSA[count];
        var loaded = 0;
        var generated = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, count, parallel, i =>
        {
            var path = directory is null ? null : Path.Combine(directory, $"rsa{keySize}-{i:D6}.p8");
            if (path is not null && TryLoad(path, keySize) is { } existing)
            {
                keys[i] = existing;
                Interlocked.Increment(ref loaded);
                return;
            }

            var key = RSA.Create(keySize);
            if (path is not null)
            {
                // Written under a temporary name and renamed, so a cancelled run leaves no half-written key.
                var temporary = path + "." + Environment.ProcessId + ".tmp";
                Files.WriteBytes(temporary, key.ExportPkcs8PrivateKey(), secret: true);
                File.Move(temporary, path, overwrite: true);
            }

            keys[i] = key;
            Interlocked.Increment(ref generated);
        });
        return (keys, loaded, generated);
    }

    private static RSA? TryLoad(string path, int keySize)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        // PKCS#8 as written here, or PKCS#1 (RSAPrivateKey) as `openssl genrsa -outform DER` writes: a pool can be
        // filled by any tool.
        var der = File.ReadAllBytes(path);
        var key = Files.TryRsa(r => r.ImportPkcs8PrivateKey(der, out _)) ?? Files.TryRsa(r => r.ImportRSAPrivateKey(der, out _));
        if (key is null)
        {
            return null;
        }

        if (key.KeySize == keySize)
        {
            return key;
        }

        key.Dispose();
        return null;
    }
}
