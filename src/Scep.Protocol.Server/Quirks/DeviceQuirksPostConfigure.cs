using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>Applies each alias's <see cref="ScepAliasOptions.Devices"/> once the options are bound, before they are validated.</summary>
internal sealed class DeviceQuirksPostConfigure : IPostConfigureOptions<ScepServerOptions>
{
    public void PostConfigure(string? name, ScepServerOptions options)
    {
        foreach (var alias in options.Aliases.Values)
        {
            DeviceQuirks.Apply(alias);
        }
    }
}
