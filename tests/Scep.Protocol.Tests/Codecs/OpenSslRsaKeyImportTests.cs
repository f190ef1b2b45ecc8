using System;
using System.Formats.Asn1;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// The short way of importing a client's RSA public key on Linux with OpenSSL 3 (docs/performance.md): the key it
/// makes must behave exactly as the one .NET imports, and whatever it does not take must fall back to .NET's import.
/// </summary>
public class OpenSslRsaKeyImportTests
{
    [TestCase(true, 0x30000160L, false, true, TestName = "Linux, OpenSSL 3.0.22: used")]
    [TestCase(true, 0x30500000L, false, true, TestName = "Linux, OpenSSL 3.5: used")]
    [TestCase(true, 0x1010117FL, false, false, TestName = "Linux, OpenSSL 1.1.1: not used")]
    [TestCase(true, 0x40000000L, false, false, TestName = "Linux, OpenSSL 4: not used (another library name)")]
    [TestCase(true, 0L, false, false, TestName = "Linux, version unknown: not used")]
    [TestCase(false, 0x30000160L, false, false, TestName = "not Linux: not used")]
    [TestCase(true, 0x30000160L, true, false, TestName = "switched off: not used")]
    public void IsApplicable_DependsOnPlatformVersionAndSwitch(bool isLinux, long version, bool disabled, bool expected) =>
        OpenSslRsaKeyImport.IsApplicable(isLinux, version, disabled).Should().Be(expected);

    [Test]
    public void TryImport_OnLinuxWithOpenSsl3_GivesAKeyThatVerifiesEncryptsAndExportsLikeTheOriginal()
    {
        RequireOpenSsl3();
        using var original = RSA.Create(2048);
        var data = new byte[] { 5, 4, 3, 2, 1 };
        var signature = original.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        using var imported = OpenSslRsaKeyImport.TryImport(original.ExportRSAPublicKey());

        imported.Should().NotBeNull("the shortcut applies on this platform");
        imported!.KeySize.Should().Be(2048);
        imported.ExportSubjectPublicKeyInfo().Should().Equal(original.ExportSubjectPublicKeyInfo());
        imported.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue();
        signature[10] ^= 1;
        imported.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeFalse();
        var secret = new byte[] { 9, 8, 7, 6 };
        original.Decrypt(imported.Encrypt(secret, RSAEncryptionPadding.Pkcs1), RSAEncryptionPadding.Pkcs1).Should().Equal(secret);
        original.Decrypt(imported.Encrypt(secret, RSAEncryptionPadding.OaepSHA256), RSAEncryptionPadding.OaepSHA256).Should().Equal(secret);
    }

    [Test]
    public void TryImport_KeyOutlivesItsImport_StillUsableAfterManyImportsAndCollections()
    {
        RequireOpenSsl3();
        var original = TestPki.CachedRsa(140, 1024);
        var data = new byte[] { 1 };
        var signature = original.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var kept = OpenSslRsaKeyImport.TryImport(original.ExportRSAPublicKey())!;

        for (var i = 0; i < 200; i++)
        {
            OpenSslRsaKeyImport.TryImport(original.ExportRSAPublicKey())!.Dispose();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();

        kept.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue();
    }

    [TestCase(false, true, TestName = "switch not set: a fresh copy of the library uses the shortcut")]
    [TestCase(true, false, TestName = "switch set: a fresh copy of the library imports as .NET does")]
    public void DisableSwitch_ReadWhenTheLibraryFirstImportsAKey(bool disabled, bool expectShortcut)
    {
        RequireOpenSsl3();
        var der = TestPki.CachedRsa(143, 1024).ExportRSAPublicKey();

        // This copy reads the switch once, at its first import: make that happen before the switch changes.
        OpenSslRsaKeyImport.TryImport(der)?.Dispose();

        // A second copy of Scep.Protocol in its own load context has its own static state, so it reads the switch anew.
        var context = new AssemblyLoadContext("switch-" + disabled, isCollectible: true);
        AppContext.SetSwitch(OpenSslRsaKeyImport.DisableSwitch, disabled);
        try
        {
            var copy = context.LoadFromAssemblyPath(typeof(OpenSslRsaKeyImport).Assembly.Location);
            var tryImport = copy.GetType(typeof(OpenSslRsaKeyImport).FullName!, throwOnError: true)!
                .GetMethod(nameof(OpenSslRsaKeyImport.TryImport), BindingFlags.Public | BindingFlags.Static)!
                .CreateDelegate<Importer>();

            using var key = tryImport(der);

            (key is not null).Should().Be(expectShortcut);
        }
        finally
        {
            AppContext.SetSwitch(OpenSslRsaKeyImport.DisableSwitch, false);
            context.Unload();
        }
    }

    [TestCase("trailing octet")]
    [TestCase("long-form length")]
    [TestCase("negative modulus")]
    [TestCase("zero exponent")]
    [TestCase("modulus with a redundant leading zero")]
    [TestCase("third integer")]
    [TestCase("empty")]
    [TestCase("not a sequence")]
    public void TryImport_NotAStrictDerRsaPublicKey_LeavesItToDotNet(string shape)
    {
        var key = TestPki.CachedRsa(141, 1024).ExportParameters(false);
        var der = Shape(shape, key);

        OpenSslRsaKeyImport.TryImport(der).Should().BeNull();
    }

    [TestCase("trailing octet")]
    [TestCase("negative modulus")]
    [TestCase("zero exponent")]
    [TestCase("modulus with a redundant leading zero")]
    [TestCase("third integer")]
    public void PublicKeyCache_OddRsaPublicKey_SameOutcomeAsDotNetsImport(string shape)
    {
        var key = TestPki.CachedRsa(142, 1024).ExportParameters(false);
        var spki = SubjectPublicKeyInfo(Shape(shape, key));

        var expected = Outcome(() => PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _).GetRSAPublicKey());
        var actual = Outcome(() => PublicKeyCache.Get(spki));

        actual.Should().Be(expected);
    }

    private delegate RSA? Importer(ReadOnlySpan<byte> rsaPublicKey);

    private static void RequireOpenSsl3()
    {
        if (!OperatingSystem.IsLinux() || (SafeEvpPKeyHandle.OpenSslVersion >> 28) != 3)
        {
            Assert.Ignore("The OpenSSL 3 key import applies on Linux with OpenSSL 3 only; other platforms import as .NET does.");
        }
    }

    private static string Outcome(Func<object?> import)
    {
        try
        {
            var key = import();
            return key is RSA rsa ? "key of " + rsa.KeySize + " bits" : "no key";
        }
        catch (CryptographicException)
        {
            return "refused";
        }
    }

    private static byte[] Shape(string shape, RSAParameters key)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        switch (shape)
        {
            case "empty":
                return [];
            case "not a sequence":
                writer.WriteIntegerUnsigned(key.Modulus);
                return writer.Encode();
            case "trailing octet":
                return [.. Strict(key), 0];
            case "long-form length":
                var strict = Strict(key);
                // 30 81 xx -> 30 82 00 xx: the same content with a non-minimal length.
                return [0x30, 0x82, 0x00, .. strict.AsSpan(2)];
        }

        using (writer.PushSequence())
        {
            switch (shape)
            {
                case "negative modulus":
                    writer.WriteEncodedValue([0x02, 0x81, (byte)key.Modulus!.Length, .. key.Modulus]);
                    writer.WriteIntegerUnsigned(key.Exponent);
                    break;
                case "zero exponent":
                    writer.WriteIntegerUnsigned(key.Modulus);
                    writer.WriteInteger(0);
                    break;
                case "modulus with a redundant leading zero":
                    writer.WriteEncodedValue([0x02, 0x81, (byte)(key.Modulus!.Length + 2), 0, 0, .. key.Modulus]);
                    writer.WriteIntegerUnsigned(key.Exponent);
                    break;
                case "third integer":
                    writer.WriteIntegerUnsigned(key.Modulus);
                    writer.WriteIntegerUnsigned(key.Exponent);
                    writer.WriteInteger(1);
                    break;
                default:
                    throw new ArgumentException(shape, nameof(shape));
            }
        }

        return writer.Encode();
    }

    private static byte[] Strict(RSAParameters key)
    {
        using var rsa = RSA.Create(key);
        return rsa.ExportRSAPublicKey();
    }

    private static byte[] SubjectPublicKeyInfo(byte[] rsaPublicKey)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                writer.WriteNull();
            }

            writer.WriteBitString(rsaPublicKey);
        }

        return writer.Encode();
    }
}
