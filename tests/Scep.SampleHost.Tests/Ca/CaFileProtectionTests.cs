using System;
using System.Formats.Asn1;
using System.IO;
using System.Linq;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Ca;

/// <summary>How the CA's key is kept at rest: a PKCS#12 with PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256), older files still loading.</summary>
[TestFixture]
public sealed class CaFileProtectionTests
{
    private const string Passphrase = "a passphrase for the tests";
    private const string Pbes2 = "1.2.840.113549.1.5.13";
    private const string Pbkdf2 = "1.2.840.113549.1.5.12";
    private const string HmacWithSha256 = "1.2.840.113549.2.9";
    private const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";
    private const string Sha256 = "2.16.840.1.101.3.4.2.1";

    private static CaBootstrap Bootstrap(string directory) =>
        new(Options.Create(new SampleHostOptions { DataDirectory = directory, CaKeySize = 2048, CaPassphrase = Passphrase }));

    [Test]
    public void NewCaFile_ProtectsTheKeyWithPbes2Aes256AndHmacSha256_AndAMac()
    {
        using var directory = new TempDirectory("scep-ca-file-");
        var bootstrap = Bootstrap(directory.Path);

        bootstrap.LoadOrCreate(TimeProvider.System, out var created);

        created.Should().BeTrue();
        AssertModernProtection(File.ReadAllBytes(bootstrap.CaPath));
    }

    [Test]
    public void NextCaFile_FromRollover_IsProtectedTheSameWay()
    {
        using var directory = new TempDirectory("scep-ca-file-");
        var bootstrap = Bootstrap(directory.Path);
        bootstrap.LoadOrCreate(TimeProvider.System, out _);

        bootstrap.CreateNext(TimeProvider.System).Should().NotBeNull();

        AssertModernProtection(File.ReadAllBytes(bootstrap.NextCaPath));
    }

    [Test]
    public void CaFileInTheOldForm_3DesAndSha1_StillLoads()
    {
        using var directory = new TempDirectory("scep-ca-file-");
        var old = TestPki.CreateCa("CN=Old CA", TestPki.CachedRsa(0));
        using var withKey = old.Certificate.CopyWithPrivateKey(old.Rsa);
        var bootstrap = Bootstrap(directory.Path);
        File.WriteAllBytes(bootstrap.CaPath, withKey.Export(X509ContentType.Pkcs12, Passphrase));

        var loaded = bootstrap.LoadOrCreate(TimeProvider.System, out var created);

        created.Should().BeFalse();
        loaded.Certificate.RawData.Should().Equal(old.Certificate.RawData);
    }

    private static void AssertModernProtection(byte[] pfx)
    {
        var info = Pkcs12Info.Decode(pfx, out _, skipCopy: true);
        info.IntegrityMode.Should().Be(Pkcs12IntegrityMode.Password);
        info.VerifyMac(Passphrase).Should().BeTrue();

        var bags = info.AuthenticatedSafe.SelectMany(contents =>
        {
            if (contents.ConfidentialityMode == Pkcs12ConfidentialityMode.Password)
            {
                contents.Decrypt(Passphrase);
            }

            return contents.GetBags();
        }).ToList();
        var keyBag = bags.OfType<Pkcs12ShroudedKeyBag>().Should().ContainSingle().Subject;

        // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier (PBES2 { PBKDF2 {salt, iterations, prf}, AES-256-CBC }), OCTET STRING }
        var algorithm = new AsnReader(keyBag.EncryptedPkcs8PrivateKey, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        algorithm.ReadObjectIdentifier().Should().Be(Pbes2);
        var pbes2 = algorithm.ReadSequence();
        var kdf = pbes2.ReadSequence();
        kdf.ReadObjectIdentifier().Should().Be(Pbkdf2);
        var kdfParameters = kdf.ReadSequence();
        kdfParameters.ReadOctetString().Should().NotBeEmpty();
        kdfParameters.TryReadInt32(out var iterations).Should().BeTrue();
        iterations.Should().Be(CaBootstrap.KeyProtection.IterationCount).And.BeGreaterThanOrEqualTo(100_000);
        if (kdfParameters.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            kdfParameters.ReadInteger(); // keyLength (optional)
        }

        kdfParameters.ReadSequence().ReadObjectIdentifier().Should().Be(HmacWithSha256);
        pbes2.ReadSequence().ReadObjectIdentifier().Should().Be(Aes256Cbc);

        // PFX ::= SEQUENCE { version, authSafe, MacData ::= SEQUENCE { DigestInfo, macSalt, iterations } }
        var pfxReader = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
        pfxReader.ReadInteger();
        pfxReader.ReadEncodedValue();
        var macData = pfxReader.ReadSequence();
        var digestInfo = macData.ReadSequence();
        digestInfo.ReadSequence().ReadObjectIdentifier().Should().Be(Sha256, "the MAC is a second way to test a passphrase, so it is as strong as the key's");
        digestInfo.ReadOctetString();
        macData.ReadOctetString();
        macData.TryReadInt32(out var macIterations).Should().BeTrue();
        macIterations.Should().Be(iterations);
    }
}
