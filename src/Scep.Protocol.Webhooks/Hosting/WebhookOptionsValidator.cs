using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Checks webhook options at start: an absolute https URL (http only when <see cref="WebhookEndpointOptions.AllowInsecureHttp"/>
/// and the host is loopback: the secret and the challenge would otherwise cross the network in clear), a secret of at
/// least <see cref="WebhookEndpointOptions.MinimumSecretLength"/> characters, positive bounds, and for the challenge
/// webhook at least one alias. Messages never contain the secret.
/// </summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookChallengeOptions>, IValidateOptions<WebhookNotifierOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookChallengeOptions options)
    {
        var failures = Common("Webhooks:Challenge", options);
        if (options.Aliases.Count == 0)
        {
            failures.Add("Webhooks:Challenge: Aliases must name at least one alias (the webhook abstains on the others).");
        }

        if (options.MaxProfileDataEntries < 0 || options.MaxProfileDataLength < 1)
        {
            failures.Add("Webhooks:Challenge: MaxProfileDataEntries and MaxProfileDataLength must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, WebhookNotifierOptions options)
    {
        var failures = Common("Webhooks:Notify", options);
        if (options.Events.Count == 0)
        {
            failures.Add("Webhooks:Notify: Events must name at least one event kind.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> Common(string section, WebhookEndpointOptions options)
    {
        var failures = new List<string>();
        if (options.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add(section + ": Url must be an absolute https URL.");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !(options.AllowInsecureHttp && url.IsLoopback))
        {
            failures.Add(section + ": Url must be https (http is allowed only for a loopback host with AllowInsecureHttp).");
        }

        if (string.IsNullOrEmpty(options.Secret) || options.Secret.Length < WebhookEndpointOptions.MinimumSecretLength)
        {
            failures.Add(section + ": Secret must be set and at least " + WebhookEndpointOptions.MinimumSecretLength + " characters long.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(2))
        {
            failures.Add(section + ": Timeout must be more than zero and at most 2 minutes.");
        }

        if (options.MaxResponseBytes < 1 || options.MaxResponseBytes > 16 * 1024 * 1024)
        {
            failures.Add(section + ": MaxResponseBytes must be between 1 and 16 MiB.");
        }

        if (options.SignatureTolerance <= TimeSpan.Zero)
        {
            failures.Add(section + ": SignatureTolerance must be more than zero.");
        }

        if (options.ClientCertificate is { HasPrivateKey: false })
        {
            failures.Add(section + ": ClientCertificate must have its private key.");
        }

        return failures;
    }
}
