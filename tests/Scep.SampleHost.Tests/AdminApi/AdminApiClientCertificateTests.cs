using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.AdminApi;

/// <summary>
/// Client certificate callers, on the real host process over TLS (Kestrel's HTTPS endpoint from the settings): a pinned
/// certificate authenticates with its role; another certificate, or none, does not. The SCEP routes stay on plain HTTP.
/// </summary>
[NonParallelizable]
public class AdminApiClientCertificateTests
{
    private TempDirectory _directory = null!;
    private HostProcess _host = null!;
    private X509Certificate2 _serverCertificate = null!;
    private X509Certificate2 _pinned = null!;
    private X509Certificate2 _stranger = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory("scep-adminapi-tls-");
        _serverCertificate = SelfSigned("CN=127.0.0.1", serverAuth: true);
        _pinned = SelfSigned("CN=pki-admin", serverAuth: false);
        _stranger = SelfSigned("CN=pki-admin", serverAuth: false);
        var pfx = _directory.File("server.pfx");
        await System.IO.File.WriteAllBytesAsync(pfx, _serverCertificate.Export(X509ContentType.Pkcs12, "tls-pass"));
        _host = await HostProcess.StartAsync(_directory.Sub("data"), new Dictionary<string, string>
        {
            ["SampleHost__CaKeySize"] = "2048",
            ["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:{port}",
            ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:{port2}",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = pfx,
            ["Kestrel__Endpoints__Https__Certificate__Password"] = "tls-pass",
            ["AdminApi__ClientCertificates__0__Name"] = "pki-admin",
            ["AdminApi__ClientCertificates__0__Sha256"] = _pinned.GetCertHashString(HashAlgorithmName.SHA256),
            ["AdminApi__ClientCertificates__0__Role"] = "Admin",
        });
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _serverCertificate.Dispose();
        _pinned.Dispose();
        _stranger.Dispose();
        _directory.Dispose();
    }

    [Test]
    public async Task PinnedClientCertificate_IsAuthenticatedWithItsRole()
    {
        using var http = Client(_pinned);

        using var status = await http.GetAsync("/admin/api/v1/ca");
        using var crl = await http.PostAsync("/admin/api/v1/ca/crl", null);

        status.StatusCode.Should().Be(HttpStatusCode.OK);
        crl.StatusCode.Should().Be(HttpStatusCode.OK, "an Admin may issue a CRL");
        var audit = await http.GetStringAsync("/admin/api/v1/audit?take=1");
        audit.Should().Contain("\"actor\":\"certificate:pki-admin\"").And.Contain("crl.issue");
    }

    [Test]
    public async Task UnpinnedClientCertificate_WithTheSameSubject_Is401()
    {
        using var http = Client(_stranger);

        using var response = await http.GetAsync("/admin/api/v1/ca");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task NoClientCertificate_Is401()
    {
        using var http = Client(null);

        using var response = await http.GetAsync("/admin/api/v1/ca");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private HttpClient Client(X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler
        {
            // The test's own server certificate, pinned.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(_serverCertificate.RawData),
        };
        if (certificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(certificate);
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_host.SecondPort}") };
    }

    private static X509Certificate2 SelfSigned(string subject, bool serverAuth) => TlsCertificates.SelfSigned(subject, serverAuth);
}
