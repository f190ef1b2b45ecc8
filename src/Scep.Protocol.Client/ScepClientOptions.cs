using System;
using System.Security.Cryptography;

namespace Scep.Protocol.Client;

/// <summary>How a <see cref="ScepClient"/> talks to its server. Immutable; checked when the client is created.</summary>
public sealed class ScepClientOptions
{
    /// <summary>The defaults: <see cref="ScepAlgorithmPolicy.Default"/>, GET or POST and the algorithms from the capabilities.</summary>
    public static ScepClientOptions Default { get; } = new();

    /// <summary>
    /// Which algorithms the client uses and accepts in replies. <see cref="ScepAlgorithmPolicy.Default"/>
    /// refuses single DES and MD5; <see cref="ScepAlgorithmPolicy.Legacy"/> accepts them, which some servers
    /// need (micromdm's scepserver 2.1.0 encrypts every reply with DES-CBC). RFC 8894 §7.5: a downgrade target.
    /// </summary>
    public ScepAlgorithmPolicy AlgorithmPolicy { get; init; } = ScepAlgorithmPolicy.Default;

    /// <summary>GET or POST for PKIOperation; <see cref="PkiOperationMethod.Auto"/> follows the capabilities.</summary>
    public PkiOperationMethod PkiOperationMethod { get; init; } = PkiOperationMethod.Auto;

    /// <summary>The content encryption of requests; null picks it from the capabilities (AES-128, else 3DES).</summary>
    public ContentEncryptionAlgorithm? ContentEncryption { get; init; }

    /// <summary>The digest of requests; null picks it from the capabilities (SHA-512, SHA-256, else SHA-1).</summary>
    public HashAlgorithmName? DigestAlgorithm { get; init; }

    /// <summary>
    /// The optional CA identifier sent as <c>message</c> with GetCACaps, GetCACert and GetNextCACert (draft §5.2.1),
    /// for servers that host several CAs behind one URL; null sends none.
    /// </summary>
    public string? CaIdentifier { get; init; }

    /// <summary>The clock for signingTime, self-signed certificates, certificate validity and the poll schedule.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The largest reply body accepted, in bytes (4 MiB by default).</summary>
    public int MaxResponseSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>The default schedule of <see cref="ScepClient.PollAsync"/>.</summary>
    public PollingOptions Polling { get; init; } = PollingOptions.Default;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(AlgorithmPolicy);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Polling);
        if (!Enum.IsDefined(PkiOperationMethod))
        {
            throw new ArgumentOutOfRangeException(nameof(PkiOperationMethod), PkiOperationMethod, "Unknown method.");
        }

        if (MaxResponseSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxResponseSize), MaxResponseSize, "Replies need at least 1 KiB.");
        }

        if (ContentEncryption is { } encryption && !AlgorithmPolicy.ContentEncryptionAlgorithms.Contains(encryption))
        {
            throw new ArgumentException($"ContentEncryption {encryption} is not allowed by the AlgorithmPolicy.", nameof(ContentEncryption));
        }

        if (DigestAlgorithm is { } digest && !AlgorithmPolicy.DigestAlgorithms.Contains(digest))
        {
            throw new ArgumentException($"DigestAlgorithm {digest.Name} is not allowed by the AlgorithmPolicy.", nameof(DigestAlgorithm));
        }

        Polling.Validate();
    }
}
