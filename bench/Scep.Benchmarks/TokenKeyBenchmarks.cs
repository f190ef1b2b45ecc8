using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Scep.Protocol.Pkcs11;

namespace Scep.Benchmarks;

/// <summary>
/// Where the cost of a CA key in a SoftHSM2 token goes: one RSA-2048 private-key operation (a PKCS#1 v1.5 signature of a
/// SHA-256 hash, a PKCS#1 v1.5 decryption of a 32-byte content key) with the key in memory (.NET over OpenSSL), in the
/// token through Pkcs11Interop with one session and the key's handle found once (the least any .NET caller can do), and
/// in the token through Scep.Protocol.Pkcs11's key objects (session pool, cached handle). The last two differ by what
/// our layer adds; the first two by what the token costs. docs/performance.md reports a run.
/// Needs SoftHSM2 (apt-get install -y softhsm2): every benchmark process makes its own token in a temporary folder.
/// </summary>
[MemoryDiagnoser]
public class TokenKeyBenchmarks
{
    private const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Pin = "1234";
    private const string Label = "bench-key";

    // The DER DigestInfo prefix of SHA-256 (RFC 8017 §9.2, note 1): what CKM_RSA_PKCS signs.
    private static readonly byte[] Sha256DigestInfoPrefix =
        [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private readonly byte[] _hash = SHA256.HashData("a SCEP reply's signed attributes"u8);
    private byte[] _digestInfo = null!;
    private byte[] _ciphertext = null!;
    private string _folder = null!;

    private RSA _fileKey = null!;
    private Pkcs11Token _token = null!;
    private RSA _tokenKey = null!;
    private IPkcs11Library _library = null!;
    private ISession _session = null!;
    private IObjectHandle _handle = null!;
    private IMechanism _mechanism = null!;

    [GlobalSetup(Targets = [nameof(FileSign), nameof(FileDecrypt)])]
    public void SetupFile()
    {
        _fileKey = RSA.Create(2048);
        _ciphertext = _fileKey.Encrypt(new byte[32], RSAEncryptionPadding.Pkcs1);
    }

    [GlobalSetup(Targets = [nameof(TokenSign), nameof(TokenDecrypt)])]
    public void SetupToken()
    {
        MakeToken();
        _token = Pkcs11Token.Open(
            Scep.Protocol.Pkcs11.Pkcs11Uri.Parse($"pkcs11:token=bench?module-path={Module}"),
            new Pkcs11TokenOptions { Pin = Pkcs11Pin.FromFile(Path.Combine(_folder, "pin")) });
        _tokenKey = _token.GenerateRsaKey(Label, 2048);
        _ciphertext = _tokenKey.Encrypt(new byte[32], RSAEncryptionPadding.Pkcs1);
    }

    [GlobalSetup(Targets = [nameof(InteropSign), nameof(InteropDecrypt)])]
    public void SetupInterop()
    {
        MakeToken();
        // Pkcs11Interop dlopens through "libdl", which Debian 12 ships as libdl.so.2 only (Scep.Protocol.Pkcs11 resolves
        // it the same way in its NativeLoader, which this process does not load).
        NativeLibrary.SetDllImportResolver(
            typeof(Pkcs11InteropFactories).Assembly,
            (name, _, _) => name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
        var factories = new Pkcs11InteropFactories();
        _library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, Module, AppType.MultiThreaded);
        var slot = _library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label == "bench");
        _session = slot.OpenSession(SessionType.ReadWrite);
        _session.Login(CKU.CKU_USER, Pin);
        var attributes = factories.ObjectAttributeFactory;
        _session.GenerateKeyPair(
            factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_KEY_PAIR_GEN),
            [attributes.Create(CKA.CKA_TOKEN, true), attributes.Create(CKA.CKA_MODULUS_BITS, 2048UL), attributes.Create(CKA.CKA_ENCRYPT, true), attributes.Create(CKA.CKA_LABEL, Label)],
            [attributes.Create(CKA.CKA_TOKEN, true), attributes.Create(CKA.CKA_PRIVATE, true), attributes.Create(CKA.CKA_SENSITIVE, true), attributes.Create(CKA.CKA_SIGN, true), attributes.Create(CKA.CKA_DECRYPT, true), attributes.Create(CKA.CKA_LABEL, Label)],
            out var publicKey,
            out _);
        _handle = _session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), attributes.Create(CKA.CKA_LABEL, Label)]).Single();
        _mechanism = factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS);
        var values = _session.GetAttributeValue(publicKey, [CKA.CKA_MODULUS, CKA.CKA_PUBLIC_EXPONENT]);
        using var rsa = RSA.Create(new RSAParameters { Modulus = values[0].GetValueAsByteArray(), Exponent = values[1].GetValueAsByteArray() });
        _ciphertext = rsa.Encrypt(new byte[32], RSAEncryptionPadding.Pkcs1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fileKey?.Dispose();
        _tokenKey?.Dispose();
        _token?.Dispose();
        _session?.Dispose();
        _library?.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public byte[] FileSign() => _fileKey.SignHash(_hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public byte[] InteropSign() => _session.Sign(_mechanism, _handle, _digestInfo);

    [Benchmark]
    public byte[] TokenSign() => _tokenKey.SignHash(_hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public byte[] FileDecrypt() => _fileKey.Decrypt(_ciphertext, RSAEncryptionPadding.Pkcs1);

    [Benchmark]
    public byte[] InteropDecrypt() => _session.Decrypt(_mechanism, _handle, _ciphertext);

    [Benchmark]
    public byte[] TokenDecrypt() => _tokenKey.Decrypt(_ciphertext, RSAEncryptionPadding.Pkcs1);

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>A token "bench" of SoftHSM2's file object store in a new temporary folder, this process's SOFTHSM2_CONF.</summary>
    private void MakeToken()
    {
        if (!File.Exists(Module))
        {
            throw new InvalidOperationException($"{Module} is missing: apt-get install -y softhsm2.");
        }

        _digestInfo = [.. Sha256DigestInfoPrefix, .. _hash];
        _folder = Directory.CreateTempSubdirectory("scep-token-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(_folder, "tokens"));
        var config = Path.Combine(_folder, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {Path.Combine(_folder, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        File.WriteAllText(Path.Combine(_folder, "pin"), Pin);
        // SoftHSM2 reads SOFTHSM2_CONF with getenv at C_Initialize: the process's C environment, which
        // Environment.SetEnvironmentVariable does not change on Unix; the child process gets .NET's copy.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (setenv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv SOFTHSM2_CONF failed.");
        }

        using var init = Process.Start(new ProcessStartInfo("softhsm2-util", ["--init-token", "--free", "--label", "bench", "--pin", Pin, "--so-pin", "5678"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("softhsm2-util did not start.");
        var output = init.StandardOutput.ReadToEnd() + init.StandardError.ReadToEnd();
        init.WaitForExit();
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {output.Trim()}");
        }
    }
}
