using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server;
using Scep.Protocol.Webhooks;

namespace Scep.SampleHost;

/// <summary>
/// The sample host's webhooks (docs/webhooks.md, "Configuration"): <c>Webhooks:Challenge</c> (the challenge webhook)
/// and <c>Webhooks:Notify</c> (the notifier), each off unless its <c>Url</c> is set when the host starts. The secret is
/// <c>Secret</c> (also from the environment: <c>Webhooks__Challenge__Secret</c>) or the first line of the file
/// <c>SecretFile</c> (a mounted secret), not both. Nothing here logs or echoes a secret.
/// </summary>
public static class WebhookSettings
{
    /// <summary>The section of the challenge webhook.</summary>
    public const string ChallengeSection = "Webhooks:Challenge";

    /// <summary>The section of the notifier.</summary>
    public const string NotifySection = "Webhooks:Notify";

    /// <summary>Registers the webhooks whose sections have a <c>Url</c>.</summary>
    public static IServiceCollection AddSampleHostWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var challenge = configuration.GetSection(ChallengeSection);
        var notify = configuration.GetSection(NotifySection);
        var scep = services.AddScepServer();
        if (!string.IsNullOrEmpty(challenge["Url"]))
        {
            scep.AddWebhookChallenge(o =>
            {
                ApplyEndpoint(challenge, ChallengeSection, o);
                foreach (var alias in ListSetting.Values(challenge.GetSection("Aliases")))
                {
                    o.Aliases.Add(alias);
                }

                if (challenge["WhenUnavailable"] is { Length: > 0 } when)
                {
                    o.WhenUnavailable = Enum.TryParse<WebhookUnavailableBehavior>(when, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                        ? parsed
                        : throw new SampleHostConfigurationException(ChallengeSection + ":WhenUnavailable must be Fail or Pending.");
                }
            });
        }

        if (!string.IsNullOrEmpty(notify["Url"]))
        {
            scep.AddWebhookNotifier(o =>
            {
                ApplyEndpoint(notify, NotifySection, o);
                var events = ListSetting.Values(notify.GetSection("Events")).ToArray();
                if (events.Length > 0)
                {
                    o.Events.Clear();
                    foreach (var kind in events)
                    {
                        o.Events.Add(Enum.TryParse<EnrollmentEventKind>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                            ? parsed
                            : throw new SampleHostConfigurationException(NotifySection + ":Events: '" + kind + "' is not Issued, Refused, Pending, Polled or Revoked."));
                    }
                }

                foreach (var alias in ListSetting.Values(notify.GetSection("Aliases")))
                {
                    o.Aliases.Add(alias);
                }
            });
        }

        return services;
    }

    private static void ApplyEndpoint(IConfigurationSection section, string name, WebhookEndpointOptions o)
    {
        o.Url = Uri.TryCreate(section["Url"], UriKind.Absolute, out var url) ? url : throw new SampleHostConfigurationException(name + ":Url is not an absolute URL.");
        o.Secret = SecretSetting.Read(section, name, "Secret", "SecretFile");
        o.AllowInsecureHttp = section.GetValue<bool>("AllowInsecureHttp");
        if (section["Timeout"] is { Length: > 0 } timeout)
        {
            o.Timeout = TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new SampleHostConfigurationException(name + ":Timeout is not a time span (00:00:05).");
        }

        if (section["MaxResponseBytes"] is { Length: > 0 } max)
        {
            o.MaxResponseBytes = int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new SampleHostConfigurationException(name + ":MaxResponseBytes is not a number.");
        }

        if (section["ClientCertificatePath"] is { Length: > 0 } certificatePath)
        {
            try
            {
                o.ClientCertificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, section["ClientCertificatePassword"]);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new SampleHostConfigurationException(name + ":ClientCertificatePath: " + certificatePath + " is not a PKCS#12 file that ClientCertificatePassword opens.", e);
            }
        }

        if (section["TrustedCaPath"] is { Length: > 0 } caPath)
        {
            try
            {
                o.TrustedServerCertificates.ImportFromPemFile(caPath);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new SampleHostConfigurationException(name + ":TrustedCaPath: " + caPath + " is not a PEM file of certificates.", e);
            }
        }
    }
}
