using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Upstream;

/// <summary>The options' problems, each in one line, at start.</summary>
internal sealed class UpstreamCaOptionsValidator : IValidateOptions<UpstreamCaOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamCaOptions options)
    {
        var failures = new List<string>();
        const string section = "Upstream";
        if (string.IsNullOrWhiteSpace(options.CaName))
        {
            failures.Add(section + ": CaName is empty.");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add(section + ": Mode must be Forward or Pull.");
        }
        else if (options.Mode == UpstreamMode.Forward
                 && (options.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add(section + ": Url must be an absolute http or https URL of the upstream's SCEP endpoint.");
        }

        if (options.CaCertificate is null)
        {
            failures.Add(section + ": CaCertificate (the upstream CA certificate, which is pinned) is not set.");
        }

        if (options.RaCertificate is null)
        {
            failures.Add(section + ": RaCertificate (the RA's certificate with its RSA key) is not set.");
        }
        else if (!options.RaCertificate.HasPrivateKey || options.RaCertificate.GetRSAPublicKey() is null)
        {
            failures.Add(section + ": RaCertificate must be an RSA certificate with its private key (devices encrypt to it).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(2))
        {
            failures.Add(section + ": RequestTimeout must be more than 0 and at most 2 minutes.");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay || options.PollInterval <= TimeSpan.Zero
            || options.WorkerInterval <= TimeSpan.Zero || options.GiveUpAfter <= TimeSpan.Zero)
        {
            failures.Add(section + ": RetryDelay, PollInterval, WorkerInterval and GiveUpAfter must be positive, and MaxRetryDelay at least RetryDelay.");
        }

        if (!Enum.IsDefined(options.WhenUnavailable))
        {
            failures.Add(section + ": WhenUnavailable must be Pending or Fail.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
