using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>Checks <see cref="IssuingAuthorityOptions"/> at start-up and names the setting that is wrong.</summary>
internal sealed class IssuingAuthorityOptionsValidator : IValidateOptions<IssuingAuthorityOptions>
{
    public ValidateOptionsResult Validate(string? name, IssuingAuthorityOptions options)
    {
        var errors = new List<string>();
        if (CertificateProfileRules.Check(options.Profile) is { } problem)
        {
            errors.Add("Issuing:Profile: " + problem);
        }

        foreach (var (alias, profile) in options.AliasProfiles)
        {
            if (CertificateProfileRules.Check(profile) is { } aliasProblem)
            {
                errors.Add($"Issuing:AliasProfiles:{alias}: " + aliasProblem);
            }
        }

        if (options.CrlValidity <= TimeSpan.Zero)
        {
            errors.Add("Issuing:CrlValidity must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
