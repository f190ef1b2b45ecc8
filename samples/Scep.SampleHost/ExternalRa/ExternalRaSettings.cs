using System;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>Registers the External RA puller when <c>ExternalRa:Url</c> is set, and checks its settings at start in one line each.</summary>
public static class ExternalRaSettings
{
    public static IServiceCollection AddSampleHostExternalRa(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ExternalRaOptions.SectionName);
        if (string.IsNullOrEmpty(section["Url"]))
        {
            return services;
        }

        services.AddOptions<ExternalRaOptions>().Bind(section, binder => binder.ErrorOnUnknownConfiguration = false);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ExternalRaOptions>>().Value;
            Check(options);
            return new ExternalRaClient(options, Pkcs12Setting.Read(section, "ExternalRa", "ClientCertificateFile", "ClientCertificatePassphrase", "the PKCS#12 of the CA's TLS client certificate"));
        });
        services.AddHostedService<ExternalRaPuller>();
        return services;
    }

    /// <summary>Resolves the client (which checks the settings and opens the certificate) and the alias, before a CA is made.</summary>
    /// <exception cref="SampleHostConfigurationException">A setting is wrong.</exception>
    internal static void ThrowIfInvalid(IServiceProvider services)
    {
        if (services.GetService<ExternalRaClient>() is null)
        {
            return;
        }

        var alias = services.GetRequiredService<IOptions<ExternalRaOptions>>().Value.Alias;
        if (!services.GetRequiredService<IOptions<ScepServerOptions>>().Value.Aliases.ContainsKey(alias))
        {
            throw new SampleHostConfigurationException($"ExternalRa:Alias '{alias}' is not an alias in Scep:Aliases.");
        }
    }

    private static void Check(ExternalRaOptions options)
    {
        if (options.Url is not { IsAbsoluteUri: true } url || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new SampleHostConfigurationException("ExternalRa:Url must be the https URL of the RA's queue (…/admin/api/v1/upstream/requests).");
        }

        if (options.ServerCertificateSha256 is not { Length: 64 } pin || !pin.All(char.IsAsciiHexDigit))
        {
            throw new SampleHostConfigurationException("ExternalRa:ServerCertificateSha256 must be the SHA-256 (64 hex digits) of the RA's TLS certificate.");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(2))
        {
            throw new SampleHostConfigurationException("ExternalRa:PollInterval must be positive and ExternalRa:Timeout more than 0 and at most 2 minutes.");
        }
    }
}
