using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server;
using Scep.Protocol.Upstream;

namespace Scep.SampleHost;

/// <summary>
/// The sample host as the RA of an upstream SCEP CA (docs/upstream.md): the <c>Upstream</c> section, on when its
/// <c>Url</c> is set (forwarding) or its <c>Mode</c> is <c>Pull</c> (the CA fetches the requests through the admin API). <c>CaCertificateFile</c> is the upstream CA certificate (PEM or DER; pinned, and served to the
/// devices), <c>RaCertificateFile</c> the RA's PKCS#12 with <c>RaPassphrase</c> or <c>RaPassphraseFile</c>; the other
/// keys are <see cref="UpstreamCaOptions"/>'s (<c>CaName</c>, <c>WhenUnavailable</c>, <c>RequestTimeout</c>, ...).
/// </summary>
public static class UpstreamSettings
{
    /// <summary>Registers the upstream CA when <c>Upstream:Url</c> or <c>Upstream:Mode=Pull</c> is set.</summary>
    public static IServiceCollection AddSampleHostUpstream(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(UpstreamCaOptions.SectionName);
        if (string.IsNullOrEmpty(section["Url"]) && !string.Equals(section["Mode"], nameof(UpstreamMode.Pull), StringComparison.OrdinalIgnoreCase))
        {
            return services;
        }

        services.AddOptions<UpstreamCaOptions>().Bind(section, binder => binder.ErrorOnUnknownConfiguration = false);
        services.AddScepServer().AddUpstreamCa(options =>
        {
            options.CaCertificate = LoadCaCertificate(section);
            options.RaCertificate = Pkcs12Setting.Read(section, "Upstream", "RaCertificateFile", "RaPassphrase", "the RA's PKCS#12, certificate and RSA key");
        });
        return services;
    }

    private static X509Certificate2 LoadCaCertificate(IConfigurationSection section)
    {
        var path = section["CaCertificateFile"]
            ?? throw new SampleHostConfigurationException("Upstream:CaCertificateFile (the upstream CA certificate, PEM or DER) is not set.");
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new SampleHostConfigurationException($"Upstream:CaCertificateFile: {path} is not a readable certificate.", e);
        }
    }
}
