using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Issuance;

/// <summary>The certificate a <see cref="CertificateIssuer"/> makes from a request and a <see cref="CertificateProfile"/>.</summary>
public class CertificateIssuerTests
{
    private static readonly DateTimeOffset Now = Scenario.Now;

    private static X509Certificate2 Issue(CertificateProfile profile, Pkcs10Request request, string? endEntityDn = null, TestCredential? ca = null)
    {
        ca ??= TestPki.Ca;
        var issuer = new CertificateIssuer(ca.Certificate, ca.Key, profile);
        var issued = issuer.Issue(request, issuer.SubjectFor(request, endEntityDn), Now);
        var certificate = X509CertificateLoader.LoadCertificate(issued.RawData.Span);
        issued.SerialNumber.Should().Be(certificate.SerialNumber);
        issued.NotAfter.Should().Be(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        return certificate;
    }

    private static Pkcs10Request Request(string subject, Action<Pkcs10RequestBuilder>? build = null)
    {
        var builder = new Pkcs10RequestBuilder(new X500DistinguishedName(subject));
        build?.Invoke(builder);
        return builder.Build(TestPki.CachedRsa(200), HashAlgorithmName.SHA256);
    }

    private static X509Extension WithSan(Action<SubjectAlternativeNameBuilder> add)
    {
        var san = new SubjectAlternativeNameBuilder();
        add(san);
        return san.Build();
    }

    [Test]
    public void Issue_DefaultProfile_IsAClientCertificateForTheRequestsKeySignedByTheCa()
    {
        var certificate = Issue(new CertificateProfile(), Request("CN=device-1,O=Example"));

        certificate.Subject.Should().Be("CN=device-1, O=Example");
        certificate.Issuer.Should().Be(TestPki.Ca.Certificate.Subject);
        certificate.NotBefore.ToUniversalTime().Should().Be(Now.AddMinutes(-5).UtcDateTime);
        certificate.NotAfter.ToUniversalTime().Should().Be(Now.AddDays(365).UtcDateTime);
        certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.Should().Be(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        certificate.Extensions.OfType<X509KeyUsageExtension>().Single().Critical.Should().BeTrue();
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Should().Equal("1.3.6.1.5.5.7.3.2");
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority.Should().BeFalse();
        certificate.SignatureAlgorithm.Value.Should().Be("1.2.840.113549.1.1.11", "sha256WithRSAEncryption: PKCS#1 v1.5 for an RSA CA");
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, VerificationTime = Now.UtcDateTime } };
        chain.ChainPolicy.CustomTrustStore.Add(TestPki.Ca.Certificate);
        chain.Build(certificate).Should().BeTrue();
    }

    [Test]
    public void Issue_ValidityBeyondTheCa_IsCappedAtTheCasEnd()
    {
        var certificate = Issue(new CertificateProfile { Validity = TimeSpan.FromDays(365 * 50) }, Request("CN=device-2"));

        certificate.NotAfter.Should().Be(TestPki.Ca.Certificate.NotAfter);
    }

    [Test]
    public void Issue_ProfileKeyUsagesAndEkus_AreTheProfiles()
    {
        var profile = new CertificateProfile { KeyUsage = X509KeyUsageFlags.DigitalSignature };
        profile.ExtendedKeyUsages.Add("1.3.6.1.5.5.7.3.1");
        profile.ExtendedKeyUsages.Add("1.3.6.1.5.5.7.3.2");

        var certificate = Issue(profile, Request("CN=server-1"));
        var withoutEku = Issue(new CertificateProfile { OmitExtendedKeyUsage = true }, Request("CN=server-2"));

        certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.Should().Be(X509KeyUsageFlags.DigitalSignature);
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Should().Equal("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        withoutEku.Extensions.OfType<X509EnhancedKeyUsageExtension>().Should().BeEmpty();
    }

    [Test]
    public void Issue_SubjectAttributes_KeepsOnlyTheListedOnesInTheRequestsOrder()
    {
        var profile = new CertificateProfile();
        profile.SubjectAttributes.Add("CN");
        profile.SubjectAttributes.Add("O");

        var certificate = Issue(profile, Request("CN=device-3,OU=Lab,O=Example,C=DE,E=x@example.net"));

        certificate.Subject.Should().Be("CN=device-3, O=Example");
    }

    [Test]
    public void Issue_EndEntityDn_ReplacesTheRequestsSubject_UnlessTheProfileSaysRequest()
    {
        var request = Request("CN=router-1");

        Issue(new CertificateProfile(), request, "CN=router-1,O=Registered").Subject.Should().Be("CN=router-1, O=Registered");
        Issue(new CertificateProfile { Subject = CertificateSubjectSource.Request }, request, "CN=router-1,O=Registered").Subject.Should().Be("CN=router-1");
    }

    [Test]
    public void Issue_CopiesOnlyTheSubjectAlternativeNameKindsOfTheProfile()
    {
        var request = Request("CN=device-4", b => b.Extensions.Add(WithSan(san =>
        {
            san.AddDnsName("device-4.example.net");
            san.AddIpAddress(System.Net.IPAddress.Parse("192.0.2.4"));
            san.AddEmailAddress("ops@example.net");
            san.AddUri(new Uri("urn:device:4"));
            san.AddUserPrincipalName("device4@example.net");
        })));

        var defaults = Issue(new CertificateProfile(), request);
        var dnsOnly = Issue(new CertificateProfile { CopiedSubjectAlternativeNames = SubjectAlternativeNameKinds.Dns }, request);
        var none = Issue(new CertificateProfile { CopiedSubjectAlternativeNames = SubjectAlternativeNameKinds.None }, request);
        var all = Issue(new CertificateProfile { CopiedSubjectAlternativeNames = SubjectAlternativeNameKinds.All }, request);

        var san = defaults.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        san.EnumerateDnsNames().Should().Equal("device-4.example.net");
        san.EnumerateIPAddresses().Select(a => a.ToString()).Should().Equal("192.0.2.4");
        defaults.GetNameInfo(X509NameType.EmailName, false).Should().Be("ops@example.net");
        defaults.GetNameInfo(X509NameType.UpnName, false).Should().BeNullOrEmpty("UPN is not a default kind");
        dnsOnly.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Should().BeEmpty();
        none.Extensions.OfType<X509SubjectAlternativeNameExtension>().Should().BeEmpty();
        all.GetNameInfo(X509NameType.UpnName, false).Should().Be("device4@example.net");
        all.GetNameInfo(X509NameType.UrlName, false).Should().Be("urn:device:4");
    }

    [Test]
    public void Issue_CiscoPixRule_AddsADnsNameFromTheUnstructuredName()
    {
        var profile = new CertificateProfile { DnsNameFromUnstructuredName = true };

        var fromSubject = Issue(profile, Request("CN=pix.example.com"), "CN=pix.example.com,unstructuredName=pix.example.com,O=Example");
        var fromAttribute = Issue(profile, Request("CN=pix2.example.com", b => b.UnstructuredName = "pix2.example.com"));
        var off = Issue(new CertificateProfile(), Request("CN=pix3.example.com"), "CN=pix3.example.com,unstructuredName=pix3.example.com");

        fromSubject.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Should().Equal("pix.example.com");
        fromAttribute.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Should().Equal("pix2.example.com");
        off.Extensions.OfType<X509SubjectAlternativeNameExtension>().Should().BeEmpty();
    }

    [Test]
    public void Issue_SerialNumbers_AreRandomPositiveAndOfTheProfilesLength()
    {
        var issuer = new CertificateIssuer(TestPki.Ca.Certificate, TestPki.Ca.Key, new CertificateProfile { SerialNumberLength = 9 });
        var request = Request("CN=device-5");

        var serials = Enumerable.Range(0, 40).Select(_ => issuer.Issue(request, request.Subject, Now).SerialNumber).ToList();

        serials.Should().OnlyHaveUniqueItems();
        serials.Should().OnlyContain(s => s.Length == 18, "9 bytes, none stripped");
        serials.Select(s => Convert.ToByte(s.Substring(0, 2), 16)).Should().OnlyContain(b => b < 0x80 && b != 0, "positive, no leading zero");
    }

    [TestCase(8)]
    [TestCase(21)]
    public void Constructor_SerialNumberLengthOutsideNineToTwenty_IsRefused(int length)
    {
        var create = () => new CertificateIssuer(TestPki.Ca.Certificate, TestPki.Ca.Key, new CertificateProfile { SerialNumberLength = length });

        create.Should().Throw<ArgumentException>().WithMessage("*SerialNumberLength*");
    }

    [Test]
    public void Issue_WithAnEcdsaCa_SignsWithEcdsa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EC CA", key, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(5));

        var certificate = Issue(new CertificateProfile(), Request("CN=device-6"), ca: new TestCredential(ca, key));

        certificate.SignatureAlgorithm.Value.Should().Be("1.2.840.10045.4.3.2", "ecdsa-with-SHA256");
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, VerificationTime = Now.UtcDateTime } };
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.Build(certificate).Should().BeTrue();
    }

    [Test]
    public void Issue_RsaPss_SignsWithPss()
    {
        Issue(new CertificateProfile { RsaPss = true }, Request("CN=device-7")).SignatureAlgorithm.Value.Should().Be("1.2.840.113549.1.1.10");
    }

    [Test]
    public void Issue_CrlDistributionPoints_AreInTheCertificate()
    {
        var profile = new CertificateProfile();
        profile.CrlDistributionPoints.Add("http://ca.example.net/ca.crl");

        var certificate = Issue(profile, Request("CN=device-8"));

        certificate.Extensions["2.5.29.31"].Should().NotBeNull();
        new AsnEncodedData(certificate.Extensions["2.5.29.31"]!.Oid, certificate.Extensions["2.5.29.31"]!.RawData).Format(false).Should().Contain("http://ca.example.net/ca.crl");
    }

    [Test]
    public void CreateCrl_ListsTheRevokedWithTheirReasonsAndNumber()
    {
        var issuer = new CertificateIssuer(TestPki.Ca.Certificate, TestPki.Ca.Key, new CertificateProfile());

        var der = issuer.CreateCrl([new RevokedCertificate("0A0B", Now, X509RevocationReason.KeyCompromise)], 7, Now, Now.AddDays(1));

        var crl = CertificateRevocationListBuilder.Load(der, out var number);
        number.Should().Be(7);
        crl.RemoveEntry([0x0A, 0x0B]).Should().BeTrue();
    }
}
