namespace Scep.Protocol.Pkcs11;

/// <summary>How <see cref="Pkcs11Token.Open"/> opens a token where the URI does not say, or says otherwise.</summary>
public sealed class Pkcs11TokenOptions
{
    /// <summary>The PKCS#11 module (shared library) to load; null for the URI's <c>module-path</c>.</summary>
    public string? ModulePath { get; init; }

    /// <summary>Where the user PIN comes from; null for the URI's <c>pin-source</c> or <c>pin-value</c>.</summary>
    public Pkcs11Pin? Pin { get; init; }

    /// <summary>The most sessions open at once; callers beyond it wait. Default 16.</summary>
    public int MaxSessions { get; init; } = 16;
}
