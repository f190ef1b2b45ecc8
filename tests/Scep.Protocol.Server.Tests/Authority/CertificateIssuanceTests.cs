using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Authority;

/// <summary>
/// <see cref="CertificateRequestExtensions.CreateEncoded"/> must be <see cref="CertificateRequest.Create(X500DistinguishedName, X509SignatureGenerator, DateTimeOffset, DateTimeOffset, byte[])"/>
/// without the load: RSA PKCS#1 v1.5 signatures are deterministic, so the two encodings must be byte for byte equal.
/// </summary>
public class CertificateIssuanceTests
{
    private static RSA CaKey => TestPki.CachedRsa(130);

    private static CertificateRequest Request(bool withExtensions)
    {
        var request = new CertificateRequest("CN=device,O=Example", TestPki.CachedRsa(131, 1024), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (withExtensions)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("device.example");
            request.CertificateExtensions.Add(san.Build());
        }

        return request;
    }

    [TestCase(true, "7F0102", 2026)]
    [TestCase(true, "80FF", 2026)]
    [TestCase(true, "0000000012", 2026)]
    [TestCase(false, "01", 2026)]
    [TestCase(true, "5A", 2049)]
    [TestCase(true, "5A", 2050)]
    [TestCase(true, "5A", 1949)]
    public void CreateEncoded_IsByteForByteWhatCreateMakes(bool withExtensions, string serialHex, int year)
    {
        var request = Request(withExtensions);
        var generator = X509SignatureGenerator.CreateForRSA(CaKey, RSASignaturePadding.Pkcs1);
        var issuer = new X500DistinguishedName("CN=Issuing CA,O=Example");
        var notBefore = new DateTimeOffset(year, 6, 1, 12, 30, 15, TimeSpan.Zero).AddTicks(1234567);
        var notAfter = notBefore.AddDays(300).AddMilliseconds(999);
        var serial = Convert.FromHexString(serialHex);

        var encoded = request.CreateEncoded(issuer, generator, notBefore, notAfter, serial);
        using var created = request.Create(issuer, generator, notBefore, notAfter, serial);

        encoded.Should().Equal(created.RawData);
    }

    [Test]
    public void CreateEncoded_TimesInAnotherOffset_AreWrittenInUtcAsCreateWritesThem()
    {
        var request = Request(withExtensions: true);
        var generator = X509SignatureGenerator.CreateForRSA(CaKey, RSASignaturePadding.Pkcs1);
        var issuer = new X500DistinguishedName("CN=Issuing CA");
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(5));

        request.CreateEncoded(issuer, generator, notBefore, notBefore.AddYears(1), [1]).Should().Equal(request.Create(issuer, generator, notBefore, notBefore.AddYears(1), [1]).RawData);
    }

    [Test]
    public void CreateEncoded_WhatCreateRefuses_IsRefusedWithTheSameExceptionType()
    {
        var generator = X509SignatureGenerator.CreateForRSA(CaKey, RSASignaturePadding.Pkcs1);
        var issuer = new X500DistinguishedName("CN=Issuing CA");
        var now = DateTimeOffset.UtcNow;
        var duplicated = Request(withExtensions: true);
        duplicated.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));

        FluentActions.Invoking(() => Request(false).CreateEncoded(issuer, generator, now, now.AddDays(-1), [1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Request(false).Create(issuer, generator, now, now.AddDays(-1), [1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Request(false).CreateEncoded(issuer, generator, now, now.AddDays(1), [])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => duplicated.CreateEncoded(issuer, generator, now, now.AddDays(1), [1])).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => duplicated.Create(issuer, generator, now, now.AddDays(1), [1])).Should().Throw<InvalidOperationException>();
    }

    [Test]
    public void IssuedFromDer_KeepsTheBytesAndLoadsTheCertificateOnDemand()
    {
        var certificate = TestPki.Issue(TestPki.Ca, "CN=device").Certificate;

        var decision = EnrollmentDecision.Issued(certificate.RawDataMemory);

        decision.Outcome.Should().Be(EnrollmentOutcome.Issued);
        decision.CertificateRawData.ToArray().Should().Equal(certificate.RawData);
        decision.Certificate!.Thumbprint.Should().Be(certificate.Thumbprint);
        EnrollmentDecision.Issued(certificate).CertificateRawData.ToArray().Should().Equal(certificate.RawData);
    }

    [TestCase("")]
    [TestCase("0403010203")]
    [TestCase("3003020101FF")]
    public void IssuedFromDer_BytesThatAreNotOneDerSequence_AreAnArgumentError(string hex)
    {
        FluentActions.Invoking(() => EnrollmentDecision.Issued(Convert.FromHexString(hex).AsMemory())).Should().Throw<ArgumentException>();
    }
}
