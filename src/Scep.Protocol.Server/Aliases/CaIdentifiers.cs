using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server;

/// <summary>
/// The GetCACaps/GetCACert/GetNextCACert <c>message</c>: a CA identifier, which RFC 8894 §4.2 leaves to the server
/// (reference §2.2). Empty, <c>CAIdentifier</c>, the alias's CA name or one of its <see cref="ScepAliasOptions.CaIdentifiers"/>
/// mean the alias's CA; another alias's CA name or identifier means that CA; anything else is the alias's CA unless the
/// alias is strict (<see cref="DeviceQuirks.SscepCaIdentifier"/>, <see cref="DeviceQuirks.MobileIron"/>).
/// </summary>
internal sealed class CaIdentifiers(IReadOnlyCollection<AliasRuntime> aliases)
{
    /// <summary>The CA name, or null when a strict alias does not know the identifier (HTTP 404).</summary>
    public string? Resolve(AliasRuntime alias, string? rawMessage)
    {
        var identifier = rawMessage is null ? string.Empty : QueryParameters.FormDecode(rawMessage);
        if (identifier.Length == 0
            || identifier.Equals("CAIdentifier", StringComparison.OrdinalIgnoreCase)
            || Names(alias, identifier))
        {
            return alias.Options.CaName;
        }

        var other = aliases.FirstOrDefault(a => Names(a, identifier));
        if (other is not null)
        {
            return other.Options.CaName;
        }

        return alias.Options.StrictCaIdentifier ? null : alias.Options.CaName;
    }

    private static bool Names(AliasRuntime alias, string identifier) =>
        alias.Options.CaName.Equals(identifier, StringComparison.OrdinalIgnoreCase)
        || alias.Options.CaIdentifiers.Any(i => i.Equals(identifier, StringComparison.OrdinalIgnoreCase));
}
