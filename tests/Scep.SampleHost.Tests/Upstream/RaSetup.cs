using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Scep.Protocol.Client;
using Scep.Protocol.Tests.Infrastructure;
using Scep.SampleHost.Tests.Infrastructure;

namespace Scep.SampleHost.Tests.Upstream;

/// <summary>What every RA topology of these tests sets up the same way: the RA's certificate, its alias, and counting at the CA.</summary>
internal static class RaSetup
{
    /// <summary>The passphrase of the RA's PKCS#12.</summary>
    public const string RaPassphrase = "ra-p12-passphrase";

    /// <summary>The challenge of the RA's RA-mode alias <c>edge</c>.</summary>
    public const string EdgeChallenge = "edge-secret";

    /// <summary>The CA certificate of a sample host (GetCACert of its default alias), also written to <paramref name="pemPath"/>.</summary>
    public static async Task<X509Certificate2> CaCertificateAsync(HostProcess ca, string pemPath)
    {
        using var http = new HttpClient();
        var certificate = X509CertificateLoader.LoadCertificate(await http.GetByteArrayAsync(ca.BaseUrl + "/scep/pkiclient.exe?operation=GetCACert"));
        await File.WriteAllTextAsync(pemPath, certificate.ExportCertificatePem());
        return certificate;
    }

    /// <summary>
    /// The RA's own certificate, enrolled at a sample host as an operator would: an end entity with a one-time code
    /// (CA mode), then a PKCSReq with it. Written to <paramref name="p12Path"/>; returned with its key.
    /// </summary>
    public static async Task<X509Certificate2> EnrollRaCertificateAsync(HostProcess ca, string username, string subjectDn, string p12Path)
    {
        var code = username + "-bootstrap-code";
        var added = await ca.AdminAsync("add-entity", "--username", username, "--password", code, "--dn", subjectDn);
        added.ExitCode.Should().Be(0, added.Error);
        return await EnrollRaCertificateAsync(new Uri(ca.BaseUrl + "/scep/pkiclient.exe"), "CN=" + username, code, ScepClientOptions.Default, p12Path);
    }

    /// <summary>The RA's own certificate, enrolled at any SCEP CA with <paramref name="challenge"/>, written to <paramref name="p12Path"/>.</summary>
    public static async Task<X509Certificate2> EnrollRaCertificateAsync(Uri url, string subject, string challenge, ScepClientOptions options, string p12Path)
    {
        using var http = new HttpClient();
        using var key = RSA.Create(2048);
        var client = new ScepClient(http, url, options);
        var enrolled = await client.EnrollAsync(await client.GetServerInfoAsync(), Scenario.Csr(subject, key, challenge), key);
        enrolled.Status.Should().Be(EnrollmentStatus.Issued, enrolled.FailInfoText);
        var certificate = enrolled.Certificate!.CopyWithPrivateKey(key);
        await File.WriteAllBytesAsync(p12Path, certificate.Export(X509ContentType.Pkcs12, RaPassphrase));
        return certificate;
    }

    /// <summary>
    /// The RA's alias <c>edge</c>: RA mode with <paramref name="challenge"/>, served by the upstream (CaName
    /// <c>upstream</c>), with the legacy algorithms micromdm's scepclient sends (DES-CBC, SHA-1) beside AES and SHA-256.
    /// </summary>
    public static Dictionary<string, string> EdgeAlias(string challenge) => new()
    {
        ["Scep__Aliases__edge__Mode"] = "Ra",
        ["Scep__Aliases__edge__CaName"] = "upstream",
        ["Scep__Aliases__edge__RaChallenge"] = challenge,
        ["Scep__Aliases__edge__EncryptionAlgorithms__0"] = "DesCbc",
        ["Scep__Aliases__edge__EncryptionAlgorithms__1"] = "Aes128Cbc",
        ["Scep__Aliases__edge__EncryptionAlgorithms__2"] = "Aes256Cbc",
        ["Scep__Aliases__edge__DigestAlgorithms__0"] = "Sha1",
        ["Scep__Aliases__edge__DigestAlgorithms__1"] = "Sha256",
    };

    /// <summary>How many certificates the sample host of <paramref name="environment"/> lists for <c>CN=<paramref name="commonName"/></c>.</summary>
    public static async Task<int> CertificateCountAsync(IReadOnlyDictionary<string, string> environment, string commonName)
    {
        var listed = await HostProcess.RunAdminAsync(environment, "list-certificates");
        listed.ExitCode.Should().Be(0, listed.Error);
        return Regex.Count(listed.Output, $"CN={Regex.Escape(commonName)}(\\s|,|$)");
    }
}
