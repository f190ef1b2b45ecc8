using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Intune;

/// <summary>What the device gets when Intune cannot be asked (down, throttling, a timeout, an answer that is not valid).</summary>
public enum IntuneUnavailableBehavior
{
    /// <summary>A signed FAILURE; the device retries on its own schedule.</summary>
    Fail = 1,

    /// <summary>PENDING: the device polls, and each poll asks Intune again.</summary>
    Pending,
}

/// <summary>
/// The settings of Intune validation. The app registration needs the Intune API permission
/// <c>scep_challenge_provider</c> and Microsoft Graph's <c>Application.Read.All</c> (docs/intune.md). Secrets are never
/// logged and never part of <see cref="ToString"/>.
/// </summary>
public sealed class IntuneOptions
{
    /// <summary>The Entra ID tenant: its id (a GUID) or a domain such as <c>contoso.onmicrosoft.com</c>.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The app registration's application (client) id.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The app's client secret; or set <see cref="ClientCertificate"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The app's certificate credential, with its private key; or set <see cref="ClientSecret"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The aliases whose initial enrollments Intune decides (others are not sent).</summary>
    public ISet<string> Aliases { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>What the device gets while Intune cannot be asked. Default: <see cref="IntuneUnavailableBehavior.Fail"/>.</summary>
    public IntuneUnavailableBehavior WhenUnavailable { get; set; } = IntuneUnavailableBehavior.Fail;

    /// <summary>The longest one call to Entra ID, Graph or Intune may take. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest answer read from Graph or Intune. Default: 256 KiB.</summary>
    public int MaxResponseBytes { get; set; } = 256 * 1024;

    /// <summary>The <c>callerInfo</c> Intune logs for correlation: your CA's name and version. Default: <c>Scep.Protocol</c> and its version.</summary>
    public string ProviderNameAndVersion { get; set; } = "Scep.Protocol/" + typeof(IntuneOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>Entra ID's host. Default: <c>https://login.microsoftonline.com/</c> (national clouds have their own).</summary>
    public Uri AuthorityHost { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>Microsoft Graph. Default: <c>https://graph.microsoft.com/</c>.</summary>
    public Uri GraphEndpoint { get; set; } = new("https://graph.microsoft.com/");

    /// <summary>
    /// Makes the HTTP handler of every call (Entra ID, Graph, Intune); null: a <see cref="SocketsHttpHandler"/> with the
    /// system's trust. For a proxy, or a test's emulator with its own certificate.
    /// </summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; set; }

    /// <summary>The settings without secrets.</summary>
    /// <returns>Tenant, client id, the kind of credential and the aliases.</returns>
    public override string ToString() =>
        $"Intune tenant {TenantId}, client {ClientId}, credential {(ClientCertificate is not null ? "certificate" : ClientSecret is not null ? "secret" : "none")}, aliases {string.Join(",", Aliases)}";
}
