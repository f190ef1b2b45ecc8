using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Scep.Protocol.Intune.Tests.Emulator;

namespace Scep.Protocol.Intune.Tests;

/// <summary>
/// The happy path and Intune's refusals, checked field by field against what the emulator received (sources cited in
/// <see cref="IntuneEmulator"/>).
/// </summary>
public class ValidationTests : IntuneTests
{
    [Test]
    public async Task ValidChallenge_IsIssued_AfterTokenDiscoveryAndValidateRequest_AndIntuneHearsTheSuccess()
    {
        using var server = Pipeline();
        var device = Device(server);
        var notified = Emulator.NextNotification.Task;

        var reply = await device.EnrollAsync("intune");

        var issued = device.IssuedFrom(reply);
        // Token requests: client credentials for Graph (discovery), then for Intune's resource with its double slash.
        Emulator.TokenRequests.Select(t => t["scope"]).Should().Equal(Emulator.BaseUrl + ".default", "https://api.manage.microsoft.com//.default");
        Emulator.TokenRequests.Should().OnlyContain(t => t["grant_type"] == "client_credentials" && t["client_id"] == IntuneEmulator.ClientId);
        CallsOf("graph").Should().ContainSingle().Which.Headers["Authorization"].Should().StartWith("Bearer emulated-token-");
        var validate = CallsOf("validateRequest").Should().ContainSingle().Subject;
        validate.Field("request", "transactionId").Should().Be(device.Parameters.TransactionId);
        Convert.FromBase64String(validate.Field("request", "certificateRequest")!).Should().Equal(device.Csr.RawData.ToArray());
        validate.Field("request", "callerInfo").Should().Be("Scep.Protocol.Tests/1.0");
        validate.Headers["api-version"].Should().Be("2018-02-20");
        Guid.TryParse(validate.Headers["client-request-id"], out _).Should().BeTrue();

        var success = await notified.WaitAsync(Generous);
        success.Action.Should().Be("successNotification");
        success.Field("notification", "transactionId").Should().Be(device.Parameters.TransactionId);
        success.Field("notification", "certificateThumbprint").Should().Be(issued.GetCertHashString(HashAlgorithmName.SHA1));
        success.Field("notification", "certificateSerialNumber").Should().Be(issued.SerialNumber);
        success.Field("notification", "certificateExpirationDateUtc").Should().Be(issued.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        success.Field("notification", "issuingCertificateAuthority").Should().Be(issued.Issuer);
        Convert.FromBase64String(success.Field("notification", "certificateRequest")!).Should().Equal(device.Csr.RawData.ToArray());
        success.Field("notification", "callerInfo").Should().Be("Scep.Protocol.Tests/1.0");
    }

    [Test]
    public async Task SecondEnrollment_ReusesTheCachedTokenAndServiceUrl()
    {
        using var server = Pipeline();
        var first = Device(server, 21);
        var second = Device(server, 22);

        first.IssuedFrom(await first.EnrollAsync("intune"));
        second.IssuedFrom(await second.EnrollAsync("intune"));

        CallsOf("graph").Should().ContainSingle("the service URL is cached");
        Emulator.TokenRequests.Should().HaveCount(2, "one token per scope, cached by MSAL");
    }

    [TestCase("ChallengeExpired")]
    [TestCase("SubjectNameMismatch")]
    [TestCase("ChallengeDecryptionError")]
    public async Task IntuneRefusal_IsAFailureNamingTheCode_NothingIssued_AndIntuneHearsTheFailure(string code)
    {
        Emulator.ValidationCode = code;
        using var server = Pipeline();
        var device = Device(server);
        var notified = Emulator.NextNotification.Task;

        var reply = await device.EnrollAsync("intune");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        reply.FailInfoText.Should().Contain(code);
        server.Authority.IssuedCertificates.Should().BeEmpty();
        var failure = await notified.WaitAsync(Generous);
        failure.Action.Should().Be("failureNotification");
        failure.Field("notification", "transactionId").Should().Be(device.Parameters.TransactionId);
        long.Parse(failure.Field("notification", "hResult")!, System.Globalization.CultureInfo.InvariantCulture).Should().Be(IntuneHResults.For(Server.RefusalCategory.ChallengeDenied));
        failure.Field("notification", "errorDescription").Should().Contain(code);
    }

    [Test]
    public async Task OtherAlias_IsNotSentToIntune()
    {
        using var server = Pipeline();
        var device = server.NewClient("CN=router-1", "static-secret", 23);

        device.IssuedFrom(await device.EnrollAsync("other"));

        Emulator.Calls.Should().BeEmpty();
        Emulator.TokenRequests.Should().BeEmpty();
    }

    [Test]
    public async Task ClientCertificateCredential_SignsTheAssertionTheEmulatorVerifies()
    {
        using var key = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=scep-intune-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(created.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, string.Empty), string.Empty);
        Emulator.ClientCertificate = certificate;
        using var server = Pipeline(o =>
        {
            o.ClientSecret = null;
            o.ClientCertificate = certificate;
        });
        var device = Device(server);

        device.IssuedFrom(await device.EnrollAsync("intune"));

        Emulator.TokenRequests.Should().OnlyContain(t => !t.ContainsKey("client_secret") && t["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    }
}
