using System;

namespace Scep.Protocol.Server;

/// <summary>What an <see cref="IChallengeValidator"/> sees: a request whose signature, envelope and proof of possession were verified.</summary>
public sealed class ChallengeValidationContext
{
    /// <summary>The alias.</summary>
    public required string Alias { get; init; }

    /// <summary>The alias's mode.</summary>
    public ScepOperationMode Mode { get; init; } = ScepOperationMode.Ra;

    /// <summary>The alias's CA name.</summary>
    public string CaName { get; init; } = "default";

    /// <summary>The challengePassword, or null when the request has none. Never log it.</summary>
    public required string? ChallengePassword { get; init; }

    /// <summary>The verified PKCS#10 request.</summary>
    public required Pkcs10Request CertificationRequest { get; init; }

    /// <summary>The verified pkiMessage.</summary>
    public required PkiMessage Request { get; init; }

    /// <summary>The end entity whose username is the request's CN, when the store has one (CA mode looks it up; RA mode too, when a store is registered).</summary>
    public EndEntity? EndEntity { get; init; }

    /// <summary>When the server received the request.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}
