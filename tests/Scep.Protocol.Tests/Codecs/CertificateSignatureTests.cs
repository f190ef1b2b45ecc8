using System;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

public class CertificateSignatureTests
{
    [Test]
    public void IsIssuedBy_CertificateOfTheCa_IsTrue_AndOfAnotherCa_IsFalse()
    {
        var issued = TestPki.Issue(TestPki.Ca, "CN=leaf", TestPki.CachedRsa(30));
        var other = TestPki.CreateCa("CN=Scep Test CA,O=Scep.Protocol Tests", TestPki.CachedRsa(31));

        CertificateSignature.IsIssuedBy(issued.Certificate, TestPki.Ca.Certificate).Should().BeTrue();
        CertificateSignature.IsIssuedBy(issued.Certificate, other.Certificate).Should().BeFalse("same name, other key");
    }

    [Test]
    public void Verifies_CrlSignedByTheCa_IsTrue_AndTamperedOrGarbage_IsFalse()
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry([0x01, 0x02], TestPki.NotBefore);
        var crl = builder.Build(
            TestPki.Ca.Certificate.SubjectName,
            X509SignatureGenerator.CreateForRSA(TestPki.Ca.Rsa, RSASignaturePadding.Pkcs1),
            BigInteger.One,
            TestPki.NotBefore.AddDays(7),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(TestPki.Ca.Certificate, true, false),
            TestPki.NotBefore);

        CertificateSignature.Verifies(crl, TestPki.Ca.Certificate.PublicKey).Should().BeTrue();
        var tampered = (byte[])crl.Clone();
        tampered[^5] ^= 0x01;
        CertificateSignature.Verifies(tampered, TestPki.Ca.Certificate.PublicKey).Should().BeFalse();
        CertificateSignature.Verifies(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 }, TestPki.Ca.Certificate.PublicKey).Should().BeFalse();
        CertificateSignature.Verifies(ReadOnlyMemory<byte>.Empty, TestPki.Ca.Certificate.PublicKey).Should().BeFalse();
    }
}
