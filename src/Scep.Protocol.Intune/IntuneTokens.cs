using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace Scep.Protocol.Intune;

/// <summary>
/// Client-credentials tokens from Microsoft Entra ID through MSAL (MsalClient.cs of the reference library does the same
/// with <c>AcquireTokenForClient</c>): a client secret or a certificate, tokens cached by MSAL until shortly before
/// they expire, and a forced refresh after a service refused one (401).
/// </summary>
internal sealed class IntuneTokens
{
    private readonly IConfidentialClientApplication _application;

    public IntuneTokens(IntuneOptions options, HttpClient http)
    {
        var builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority(new Uri(options.AuthorityHost, Uri.EscapeDataString(options.TenantId)).ToString())
            .WithHttpClientFactory(new Factory(http))
            .WithLogging((_, _, _) => { }, LogLevel.Error, enablePiiLogging: false, enableDefaultPlatformLogging: false);
        if (!options.AuthorityHost.Host.EndsWith(".microsoftonline.com", StringComparison.OrdinalIgnoreCase))
        {
            // A national cloud or an emulator: no instance discovery against the public cloud.
            builder = builder.WithInstanceDiscovery(false);
        }

        _application = options.ClientCertificate is { } certificate
            ? builder.WithCertificate(certificate).Build()
            : builder.WithClientSecret(options.ClientSecret!).Build();
    }

    /// <summary>A token for the scope (cached by MSAL), or a new one when <paramref name="forceRefresh"/>.</summary>
    /// <exception cref="IntuneUnavailableException">Entra ID did not give one.</exception>
    public async Task<string> GetAsync(string scope, bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _application.AcquireTokenForClient([scope]).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return result.AccessToken;
        }
        catch (MsalServiceException e)
        {
            // MSAL's message carries Entra ID's error code (AADSTS...), never the secret.
            throw new IntuneUnavailableException($"Entra ID refused the token request ({e.ErrorCode}, HTTP {e.StatusCode}).", e);
        }
        catch (MsalClientException e)
        {
            throw new IntuneUnavailableException($"No token from Entra ID ({e.ErrorCode}).", e);
        }
        catch (HttpRequestException e)
        {
            throw new IntuneUnavailableException("Entra ID could not be reached.", e);
        }
    }

    private sealed class Factory(HttpClient http) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => http;
    }
}

/// <summary>Intune, Graph or Entra ID could not be asked, or answered something that is not an answer.</summary>
internal sealed class IntuneUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
