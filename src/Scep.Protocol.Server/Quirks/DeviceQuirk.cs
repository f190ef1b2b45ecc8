using System;

namespace Scep.Protocol.Server;

/// <summary>
/// What one kind of device needs from a SCEP server beyond RFC 8894, with where that is known from. A quirk either is
/// a setting (<see cref="IsSetting"/>: it changes an alias's options when the alias lists it in
/// <see cref="ScepAliasOptions.Devices"/>) or is always on (a leniency every alias has, implemented where
/// <see cref="HandledBy"/> says). <see cref="DeviceQuirks"/> lists them all.
/// </summary>
public sealed class DeviceQuirk
{
    private readonly Action<ScepAliasOptions>? _apply;

    internal DeviceQuirk(string name, string device, string source, string effect, Action<ScepAliasOptions> apply)
    {
        Name = name;
        Device = device;
        Source = source;
        Effect = effect;
        _apply = apply;
        HandledBy = nameof(ScepAliasOptions) + "." + nameof(ScepAliasOptions.Devices);
    }

    internal DeviceQuirk(string name, string device, string source, string effect, string handledBy)
    {
        Name = name;
        Device = device;
        Source = source;
        Effect = effect;
        HandledBy = handledBy;
    }

    /// <summary>The name an alias lists in <see cref="ScepAliasOptions.Devices"/> (for a setting), e.g. <c>CiscoPix</c>.</summary>
    public string Name { get; }

    /// <summary>The device or client, e.g. "Cisco PIX and old ASA".</summary>
    public string Device { get; }

    /// <summary>Where the behaviour is documented or was reported (EJBCA's tested devices, an RFC, a project's issue tracker).</summary>
    public string Source { get; }

    /// <summary>What the quirk does, in a sentence.</summary>
    public string Effect { get; }

    /// <summary>Whether the quirk is a setting an alias opts into; false for leniencies that are always on.</summary>
    public bool IsSetting => _apply is not null;

    /// <summary>The type (and member) that implements the quirk.</summary>
    public string HandledBy { get; }

    /// <summary>Applies a setting quirk to <paramref name="options"/>; nothing for an always-on one.</summary>
    internal void ApplyTo(ScepAliasOptions options) => _apply?.Invoke(options);

    /// <inheritdoc />
    public override string ToString() => Name;
}
