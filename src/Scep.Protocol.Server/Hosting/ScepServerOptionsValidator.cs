using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>Checks <see cref="ScepServerOptions"/> at start-up and says exactly what is wrong.</summary>
internal sealed class ScepServerOptionsValidator(IServiceProvider services) : IValidateOptions<ScepServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ScepServerOptions options)
    {
        var errors = new List<string>();
        if (options.Aliases.Count == 0)
        {
            errors.Add("Scep:Aliases is empty: configure at least one alias.");
        }
        else if (!options.Aliases.ContainsKey(options.DefaultAlias))
        {
            errors.Add($"Scep:DefaultAlias '{options.DefaultAlias}' is not one of the configured aliases ({string.Join(", ", options.Aliases.Keys)}).");
        }

        if (options.StaleReservationTimeout <= TimeSpan.Zero)
        {
            errors.Add("Scep:StaleReservationTimeout must be positive.");
        }

        if (options.MaxFailedCodeAttempts < 0)
        {
            errors.Add("Scep:MaxFailedCodeAttempts must be 0 (no lockout) or more.");
        }

        if (options.ObserverTimeout <= TimeSpan.Zero || options.ObserverTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Scep:ObserverTimeout must be positive and at most 5 minutes.");
        }

        var hasEntityStore = services.GetService(typeof(IEndEntityStore)) is not null;
        var hasChallengeValidator = services.GetService(typeof(System.Collections.Generic.IEnumerable<IChallengeValidator>)) is System.Collections.Generic.IEnumerable<IChallengeValidator> validators && validators.Any();
        foreach (var (aliasName, alias) in options.Aliases)
        {
            var prefix = $"Scep:Aliases:{aliasName}:";
            if (aliasName.Length == 0 || !aliasName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add($"Alias name '{aliasName}' may contain only letters, digits, '-', '_' and '.'.");
            }

            if (string.IsNullOrWhiteSpace(alias.CaName))
            {
                errors.Add(prefix + "CaName is empty.");
            }

            if (!Enum.IsDefined(alias.Mode))
            {
                errors.Add(prefix + $"Mode '{alias.Mode}' is not Ca or Ra.");
            }

            if (alias.Mode == ScepOperationMode.Ca && !hasEntityStore)
            {
                errors.Add(prefix + "Mode is Ca, which needs an IEndEntityStore: register one with AddEndEntityStore<T>().");
            }

            if (alias.Mode == ScepOperationMode.Ra && alias.RaChallenge is null && !hasChallengeValidator && alias.TrustedRaSigners.Count == 0)
            {
                errors.Add(prefix + "Mode is Ra, which needs RaChallenge, TrustedRaSigners or an IChallengeValidator (AddChallengeValidator).");
            }

            if (alias.TrustedRaSigners.Count > 0 && alias.Mode != ScepOperationMode.Ra)
            {
                errors.Add(prefix + "TrustedRaSigners needs Mode Ra: the requests an RA forwards create their end entities.");
            }

            foreach (var fingerprint in alias.TrustedRaSigners)
            {
                if (fingerprint is not { Length: 64 } || !fingerprint.All(char.IsAsciiHexDigit))
                {
                    errors.Add(prefix + $"TrustedRaSigners: '{fingerprint}' is not a SHA-256 fingerprint (64 hex digits).");
                }
            }

            if (alias.RaChallenge is { } challenge && string.IsNullOrWhiteSpace(challenge))
            {
                // An empty value (often an unset configuration key) would admit every request with an empty challengePassword.
                errors.Add(prefix + "RaChallenge is empty: set a secret, or remove it to use an IChallengeValidator.");
            }

            if (alias.EncryptionAlgorithms.Any(a => !Enum.IsDefined(a)))
            {
                errors.Add(prefix + "EncryptionAlgorithms may list only DesCbc, TripleDesCbc, Aes128Cbc, Aes192Cbc, Aes256Cbc.");
            }

            if (alias.DigestAlgorithms.Any(d => !Enum.IsDefined(d)))
            {
                errors.Add(prefix + "DigestAlgorithms may list only Md5, Sha1, Sha256, Sha384, Sha512.");
            }

            if (alias.ForcedReplyDigest is { } forced && !Enum.IsDefined(forced))
            {
                errors.Add(prefix + $"ForcedReplyDigest '{forced}' is not a digest.");
            }

            if (!alias.AllowGet && !alias.AllowPost)
            {
                errors.Add(prefix + "AllowGet and AllowPost are both false: no client could send a request.");
            }

            if (alias.MaxMessageSize is < 1024 or > 16 * 1024 * 1024)
            {
                errors.Add(prefix + "MaxMessageSize must be between 1024 and 16777216 bytes.");
            }

            if (alias.SigningTimeTolerance is { } tolerance && tolerance <= TimeSpan.Zero)
            {
                errors.Add(prefix + "SigningTimeTolerance must be positive, or null to ignore signingTime.");
            }

            if (alias.RenewalMinimumElapsedFraction is < 0 or > 1 || double.IsNaN(alias.RenewalMinimumElapsedFraction))
            {
                errors.Add(prefix + "RenewalMinimumElapsedFraction must be between 0 and 1.");
            }

            foreach (var device in alias.Devices.Where(d => DeviceQuirks.Find(d) is null))
            {
                errors.Add(prefix + $"Devices lists '{device}', which is not a device quirk (known: {string.Join(", ", DeviceQuirks.All.Where(q => q.IsSetting).Select(q => q.Name))}).");
            }

            if (alias.AllowRenewalWithOldKey && !alias.AllowRenewal)
            {
                errors.Add(prefix + "AllowRenewalWithOldKey needs AllowRenewal.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
