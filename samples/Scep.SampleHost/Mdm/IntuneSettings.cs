using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Intune;
using Scep.Protocol.Server;

namespace Scep.SampleHost;

/// <summary>
/// The sample host's Intune validation (docs/intune.md): section <c>Intune</c>, off unless <c>TenantId</c> is set.
/// The credential is <c>ClientSecret</c> (also <c>Intune__ClientSecret</c> from the environment), the first line of
/// <c>ClientSecretFile</c>, or the PKCS#12 <c>ClientCertificatePath</c> with <c>ClientCertificatePassword</c>; nothing
/// here logs or echoes one.
/// </summary>
public static class IntuneSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Intune";

    /// <summary>Registers Intune validation when the section names a tenant.</summary>
    public static IServiceCollection AddSampleHostIntune(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        if (string.IsNullOrEmpty(section["TenantId"]))
        {
            return services;
        }

        services.AddScepServer().AddIntuneValidation(o =>
        {
            o.TenantId = section["TenantId"]!;
            o.ClientId = section["ClientId"] ?? string.Empty;
            o.ClientSecret = SecretSetting.Read(section, SectionName, "ClientSecret", "ClientSecretFile");
            if (section["ClientCertificatePath"] is { Length: > 0 } path)
            {
                try
                {
                    o.ClientCertificate = X509CertificateLoader.LoadPkcs12FromFile(path, section["ClientCertificatePassword"]);
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
                {
                    throw new SampleHostConfigurationException($"{SectionName}:ClientCertificatePath: {path} is not a PKCS#12 file that ClientCertificatePassword opens.", e);
                }
            }

            foreach (var alias in ListSetting.Values(section.GetSection("Aliases")))
            {
                o.Aliases.Add(alias);
            }

            if (section["WhenUnavailable"] is { Length: > 0 } when)
            {
                o.WhenUnavailable = Enum.TryParse<IntuneUnavailableBehavior>(when, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed
                    : throw new SampleHostConfigurationException($"{SectionName}:WhenUnavailable must be Fail or Pending.");
            }

            if (section["Timeout"] is { Length: > 0 } timeout)
            {
                o.Timeout = TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var span)
                    ? span
                    : throw new SampleHostConfigurationException($"{SectionName}:Timeout is not a time span (00:00:10).");
            }

            if (section["AuthorityHost"] is { Length: > 0 } authority)
            {
                o.AuthorityHost = new Uri(authority);
            }

            if (section["GraphEndpoint"] is { Length: > 0 } graph)
            {
                o.GraphEndpoint = new Uri(graph);
            }
        });
        return services;
    }
}
